import fc from "fast-check";
import { arbitraryOfJson, type JsonSchema, schemaAt } from "./zod-arbitrary.js";

// Mutations of valid values, for the fuzz test: of a JSON value (a field dropped, retyped, replaced by one
// its schema allows, an unknown or prototype-named key added, huge, deeply nested, lone surrogates and
// control characters), of its JSON text (duplicate keys, truncated, malformed, not JSON at all) and of raw
// bytes (invalid UTF-8, flipped, cut). Deep nesting is spliced into the text, as the test's own
// JSON.stringify would overflow its stack on it.

/** A path into a JSON value. */
export type Path = (string | number)[];

/** Every path inside `v` (the root first), at most `max`. */
export function pathsOf(v: unknown, max = 200, at: Path = [], out: Path[] = []): Path[] {
  if (out.length >= max) return out;
  out.push(at);
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) pathsOf(x, max, [...at, i], out);
  } else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) pathsOf(x, max, [...at, k], out);
  return out;
}

/** A copy of `v` with the value at `path` replaced (or removed, for `drop`). */
export function withAt(v: unknown, path: Path, replace: (old: unknown) => unknown, drop = false): unknown {
  if (path.length === 0) return replace(v);
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(v)) {
    const out = [...v];
    if (drop && rest.length === 0) out.splice(head as number, 1);
    else out[head as number] = withAt(v[head as number], rest, replace, drop);
    return out;
  }
  const obj = { ...(v as Record<string, unknown>) };
  if (drop && rest.length === 0) delete obj[head as string];
  else obj[head as string] = withAt(obj[head as string], rest, replace, drop);
  return obj;
}

/** Strings that have broken parsers, databases, logs and terminals before. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\uD800",
    "\uDFFF",
    "a\uD83Dz",
    "\u0000",
    "a\u0000b",
    "\u0007\u0008\u001B[31mred",
    "\r\n\r\n",
    "\u2028\u2029",
    "\uFEFF",
    "\u202Eevil",
    "\u200B",
    "e\u0301",
    "𝕏😀👩‍👩‍👧",
    "%00",
    "%zz",
    "../../etc/passwd",
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    "<script>alert(1)</script>",
    ["$", "{jndi:ldap://x}"].join(""),
    "__proto__",
    "constructor",
    "NaN",
    "-0",
    "1e309",
    "9007199254740993",
    "null",
    "true",
    "[]",
    "{}",
  ),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 10 }),
  fc
    .tuple(fc.string({ maxLength: 5 }), fc.constantFrom("\uD800", "\uDC00", "\u0000", "\u001F"), fc.string())
    .map((p) => p.join("")),
);

/** A value of any other JSON type, edge values included. */
const otherValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, "", [], {}),
  nastyString,
  fc.jsonValue({ maxDepth: 3 }),
);

/** Sentinel strings replaced in the JSON text by a huge or deeply nested value. */
const DEEP = "\u0001fuzz-deep\u0001";
const HUGE = "\u0001fuzz-huge\u0001";

/** Depths and sizes that are ordinary, large and absurd. */
const depth = fc.constantFrom(10, 1_000, 100_000);
const size = fc.constantFrom(1_000, 100_000, 2_000_000);

/** `v` with one thing changed: what and where come from fast-check. */
export function mutatedValue(v: unknown, schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const paths = pathsOf(v);
  const inner = paths.filter((p) => p.length > 0);
  const objects = paths.filter((p) => {
    const x = p.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], v);
    return x !== null && typeof x === "object" && !Array.isArray(x);
  });
  const anyPath = fc.constantFrom(...paths);
  const options: fc.Arbitrary<unknown>[] = [
    anyPath.chain((p) => otherValue.map((x) => withAt(v, p, () => x))),
    anyPath.chain((p) => nastyString.map((x) => withAt(v, p, () => x))),
    anyPath.map((p) => withAt(v, p, () => DEEP)),
    anyPath.map((p) => withAt(v, p, () => HUGE)),
  ];
  if (inner.length > 0) {
    options.push(fc.constantFrom(...inner).map((p) => withAt(v, p, () => undefined, true)));
    // A field replaced by another value its own schema allows: deeper code sees new but plausible input.
    options.push(
      fc.constantFrom(...inner).chain((p) => {
        const s = schema ? schemaAt(schema, p) : undefined;
        return (s ? arbitraryOfJson(s) : fc.jsonValue()).map((x) => withAt(v, p, () => x));
      }),
    );
  }
  if (objects.length > 0)
    options.push(
      fc
        .tuple(
          fc.constantFrom(...objects),
          fc.oneof(fc.constantFrom("__proto__", "constructor", "x"), fc.string()),
          otherValue,
        )
        .map(([p, k, x]) => withAt(v, p, (o) => ({ ...(o as object), [k]: x }))),
    );
  return fc.oneof(...options);
}

/** JSON text of `v`, with the sentinels spliced out into huge and deeply nested values. */
export function jsonTextOf(v: unknown): fc.Arbitrary<string> {
  const text = JSON.stringify(v) ?? "null";
  return fc
    .tuple(depth, size, fc.constantFrom("[", '{"a":'))
    .map(([d, n, open]) =>
      text
        .replaceAll(JSON.stringify(DEEP), `${open.repeat(d)}0${(open === "[" ? "]" : "}").repeat(d)}`)
        .replaceAll(JSON.stringify(HUGE), JSON.stringify("x".repeat(n))),
    );
}

/** Broken JSON texts made from a valid one, and texts that are not JSON at all. */
export function mutatedText(text: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: Math.max(0, text.length) });
  const dup =
    text.startsWith("{") && text.length > 2
      ? [
          fc
            .tuple(fc.string(), otherValue)
            .map(([k, x]) => `${text.slice(0, -1)},${JSON.stringify(k)}:${JSON.stringify(x)}}`),
          fc
            .constantFrom(...Object.keys(JSON.parse(text) as object).concat("x"))
            .chain((k) => otherValue.map((x) => `{${JSON.stringify(k)}:${JSON.stringify(x)},${text.slice(1)}`)),
        ]
      : [];
  return fc.oneof(
    at.map((i) => text.slice(0, i)),
    fc.tuple(at, fc.string({ unit: "binary", maxLength: 3 })).map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
    at.map((i) => text.slice(0, i) + text.slice(i + 1)),
    fc.constantFrom(`\uFEFF${text}`, `${text}}`, `${text},`, `[${text}]`, `${text}${text}`, text.replaceAll('"', "'")),
    fc.constantFrom(
      "",
      " ",
      "null",
      "true",
      "0",
      '"s"',
      "[]",
      "{}",
      "NaN",
      "undefined",
      '{"a":1,}',
      "{'a':1}",
      "\u0000",
    ),
    ...dup,
  );
}

/** Raw bytes made from valid ones: invalid UTF-8 spliced in, a byte flipped, cut short, or random. */
export function mutatedBytes(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat({ max: bytes.length });
  const splice = (i: number, add: readonly number[], remove = 0) =>
    Uint8Array.from([...bytes.subarray(0, i), ...add, ...bytes.subarray(i + remove)]);
  return fc.oneof(
    fc
      .tuple(at, fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]))
      .map(([i, b]) => splice(i, b)),
    fc.tuple(fc.nat({ max: Math.max(0, bytes.length - 1) }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const out = bytes.slice();
      if (out.length > 0) out[i] = out[i]! ^ x;
      return out;
    }),
    at.map((i) => bytes.slice(0, i)),
    fc.uint8Array({ maxLength: 512 }),
  );
}
