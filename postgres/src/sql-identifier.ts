/** A quoted SQL identifier (`my "x"` → `"my ""x"""`): safe to splice into SQL, and exact (no case folding). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
