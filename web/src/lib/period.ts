/** [from, to) as the evidence API takes it, from two inclusive UTC dates ("2026-11-01", "2026-11-30"): to is the day after the last. */
export function periodOf(fromDate: string, toDate: string): { from: string; to: string } {
  const to = new Date(`${toDate}T00:00:00.000Z`);
  to.setUTCDate(to.getUTCDate() + 1);
  return { from: `${fromDate}T00:00:00.000Z`, to: to.toISOString() };
}
