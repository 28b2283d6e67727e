import { err, ok, type Result } from "@walwarden/verifier";

// type/subtype, then `; name=value` parameters whose value is a token or a quoted string (RFC 9110 §8.3.1).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(
  `^\\s*(${TOKEN})/(${TOKEN})\\s*((?:;\\s*${TOKEN}\\s*=\\s*(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*")\\s*)*)$`,
);
const PARAMETER = new RegExp(`;\\s*(${TOKEN})\\s*=\\s*(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")`, "g");

/** A Content-Type split into its lower-cased essence (`type/subtype`) and its parameters (names lower-cased). */
export interface MediaType {
  essence: string;
  params: Map<string, string>;
}

/** Parses a Content-Type header value, or undefined when it is not one (RFC 9110 §8.3). */
export function parseMediaType(header: string): MediaType | undefined {
  const m = MEDIA_TYPE.exec(header);
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const [, name, raw] of m[3]!.matchAll(PARAMETER)) {
    const value = raw!.startsWith('"') ? raw!.slice(1, -1).replace(/\\(.)/g, "$1") : raw!;
    if (!params.has(name!.toLowerCase())) params.set(name!.toLowerCase(), value);
  }
  return { essence: `${m[1]}/${m[2]}`.toLowerCase(), params };
}

/**
 * Whether a request's Content-Type says JSON this API can read: application/json, in UTF-8 (RFC 8259 §8.1:
 * JSON exchanged between systems is UTF-8). A body said to be in another charset is refused rather than
 * read as UTF-8 into something other than what was sent; no charset means UTF-8.
 */
export function checkJsonMediaType(header: string | undefined): Result<void, "not-json" | "not-utf-8"> {
  const media = parseMediaType(header ?? "");
  if (media?.essence !== "application/json") return err("not-json", "send the body as application/json");
  const charset = media.params.get("charset");
  if (charset !== undefined && charset.toLowerCase() !== "utf-8")
    return err("not-utf-8", `send JSON in UTF-8 (charset=utf-8, or no charset), not charset=${charset.slice(0, 40)}`);
  return ok(undefined);
}
