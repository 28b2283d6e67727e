/**
 * Removes what must never leave the operator's machine from a text that will be printed or sent to the
 * Worker: the given secrets verbatim, passwords in connection URIs (`postgres://user:secret@` →
 * `postgres://user:***@`) and keyword strings (`password=secret`), and the query of any URL (a presigned
 * URL's signature is a credential).
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join("***");
  return out
    .replace(/\b(postgres(?:ql)?:\/\/[^\s:@/]*):[^\s@/]*@/gi, "$1:***@")
    .replace(/\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/gi, "password=***")
    .replace(/\b(https?:\/\/[^\s?#]+)\?[^\s#]*/gi, "$1?…")
    .replace(/\b(ww[a-z]_)[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, "$1***");
}

/** The last `max` characters of a text (a failure reason the Worker accepts is at most 4000). */
export function clip(text: string, max = 4000): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
