/**
 * Removes credentials from free text a runner sends (a failure reason quoting pg_dump, say) before it is
 * stored or logged: the password of any `scheme://user:password@host` URL and the value of
 * `password=`/`PGPASSWORD=`-style pairs. The log is append-only, so a secret that reaches it stays.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi, "$1[redacted]@")
    .replace(/\b((?:pg)?pass(?:word)?|secret|token)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s&;,]+)/gi, "$1$2[redacted]");
}
