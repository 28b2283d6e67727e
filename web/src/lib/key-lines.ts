/** The vkeys in pasted text: one per line (or separated by spaces), blank lines and `#` comments ignored. */
export function parseKeyLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim())
    .flatMap((line) => line.split(/\s+/))
    .filter((k) => k.length > 0);
}
