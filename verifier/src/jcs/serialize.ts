import { utf8 } from "../bytes/utf8.js";
import { serializeNumber } from "./number.js";
import { elementPath, memberPath } from "./path.js";
import { isWellFormed, serializeString } from "./string.js";

function fail(path: string, why: string): never {
  throw new TypeError(`JCS: cannot canonicalize ${path}: ${why}`);
}

// Names what a rejected object is (Date, Map, Uint8Array, ...) so the error says what to convert.
function kindOf(value: object): string {
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === "string" && ctor !== "" && ctor !== tag ? `${ctor} (${tag})` : tag;
}

function writeArray(value: unknown[], path: string, seen: Set<object>, out: string[]): void {
  out.push("[");
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out.push(",");
    // A hole reads as undefined, which write() rejects: JSON.stringify would silently write null.
    write(value[i], elementPath(path, i), seen, out);
  }
  out.push("]");
}

function writeObject(value: Record<string, unknown>, path: string, seen: Set<object>, out: string[]): void {
  const symbols = Object.getOwnPropertySymbols(value).filter((s) =>
    Object.prototype.propertyIsEnumerable.call(value, s),
  );
  if (symbols.length > 0) fail(path, `object has a symbol-keyed property (${String(symbols[0])})`);
  // The default sort compares strings by UTF-16 code units, which is the order RFC 8785 §3.2.3 requires.
  const keys = Object.keys(value).sort();
  out.push("{");
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const at = memberPath(path, key);
    if (!isWellFormed(key)) fail(at, "property name contains a lone surrogate");
    if (i > 0) out.push(",");
    out.push(serializeString(key, at), ":");
    write(value[key], at, seen, out);
  }
  out.push("}");
}

function write(value: unknown, path: string, seen: Set<object>, out: string[]): void {
  switch (typeof value) {
    case "string":
      out.push(serializeString(value, path));
      return;
    case "number":
      out.push(serializeNumber(value, path));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object":
      break;
    default:
      // undefined, bigint, symbol, function: JSON has no canonical encoding for any of them.
      fail(path, `${typeof value} is not a JSON value`);
  }
  if (value === null) {
    out.push("null");
    return;
  }
  // `seen` holds the containers on the current path only, so shared (acyclic) references are fine.
  if (seen.has(value)) fail(path, "cyclic reference");
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value) && proto === Array.prototype) writeArray(value, path, seen, out);
  else if (proto === Object.prototype || proto === null) writeObject(value as Record<string, unknown>, path, seen, out);
  // toJSON is deliberately not consulted: a Date or class instance reaching here is a bug upstream, and
  // turning it into a string silently would sign something nobody looked at.
  else fail(path, `${kindOf(value)} is not a plain object or array`);
  seen.delete(value);
}

/**
 * The RFC 8785 (JCS) canonical JSON text of a value. Throws TypeError, naming the path (e.g. `$.data.size`),
 * for anything without a canonical JSON form: NaN, ±Infinity, undefined, bigint, symbols, functions, lone
 * surrogates, non-plain objects (Date, Map, class instances; toJSON is not honoured), sparse arrays, cycles.
 */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, "$", new Set(), out);
  return out.join("");
}

/** The UTF-8 bytes of the RFC 8785 canonical JSON text of a value (throws as canonicalize does). */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value));
}
