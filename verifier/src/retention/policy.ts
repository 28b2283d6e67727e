import { z } from "zod";

/** The calendar periods a policy can keep one backup of, shortest first. */
export const RETENTION_PERIODS = ["hourly", "daily", "weekly", "monthly", "yearly"] as const;
/** A calendar period. */
export type RetentionPeriod = (typeof RETENTION_PERIODS)[number];

/** Most of any one count: a thousand hourlies is six weeks; a thousand yearlies is plenty. */
export const MAX_RETENTION_COUNT = 1000;
/** Most days of a minimum age: a hundred years. */
export const MAX_MIN_AGE_DAYS = 36_500;

const Count = z.number().int().min(0).max(MAX_RETENTION_COUNT).optional();

/**
 * A retention policy as the log records it (SPEC §12): which rules keep backups. The zone is any string
 * here (a reader whose runtime lacks the zone still parses the log); the API checks it is a known zone.
 */
export const RetentionPolicyShape = z.strictObject({
  keepLast: Count,
  hourly: Count,
  daily: Count,
  weekly: Count,
  monthly: Count,
  yearly: Count,
  minAgeDays: z.number().int().min(0).max(MAX_MIN_AGE_DAYS).optional(),
  timezone: z.string().min(1).max(64).default("UTC"),
});
/** A retention policy. */
export type RetentionPolicy = z.infer<typeof RetentionPolicyShape>;

/** Whether a policy turns on any rule (one that keeps nothing would expire all but the newest). */
export function keepsSomething(p: Omit<RetentionPolicy, "timezone">): boolean {
  return (p.keepLast ?? 0) > 0 || RETENTION_PERIODS.some((period) => (p[period] ?? 0) > 0) || (p.minAgeDays ?? 0) > 0;
}

/** The longest each period's bucket can last, in days (a leap year, a 31-day month, a 25-hour day rounds up). */
const PERIOD_DAYS: Record<RetentionPeriod, number> = { hourly: 1 / 24, daily: 1, weekly: 7, monthly: 31, yearly: 366 };

/**
 * How long a new object must stay locked so that whatever the policy may keep it keeps under lock
 * (SPEC §12): the minimum age, and for each period rule its count times the period's longest length,
 * rounded up to whole days. Null when only `keepLast` keeps backups: that has no bound in time.
 */
export function lockDaysFor(p: RetentionPolicy): number | null {
  const spans = [p.minAgeDays ?? 0, ...RETENTION_PERIODS.map((period) => (p[period] ?? 0) * PERIOD_DAYS[period])];
  const longest = Math.ceil(Math.max(...spans));
  return longest > 0 ? longest : null;
}

/** A policy in words, for reports and the dashboard: "last 3, 7 daily, 4 weekly, at least 30 days (UTC)". */
export function describePolicy(p: RetentionPolicy): string {
  const parts = [
    ...((p.keepLast ?? 0) > 0 ? [`last ${p.keepLast}`] : []),
    ...RETENTION_PERIODS.filter((period) => (p[period] ?? 0) > 0).map((period) => `${p[period]} ${period}`),
    ...((p.minAgeDays ?? 0) > 0 ? [`at least ${p.minAgeDays} days`] : []),
  ];
  return `${parts.length > 0 ? parts.join(", ") : "nothing"} (${p.timezone})`;
}
