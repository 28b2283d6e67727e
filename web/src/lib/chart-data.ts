import type { Backup } from "@walwarden/verifier/wire";

const MiB = 1024 * 1024;

/** The history chart's columns: completion times (s), sizes (MiB) and durations (s), oldest first; backups without a completion time are left out. */
export function chartData(backups: Backup[]): [number[], number[], number[]] {
  const rows = backups
    .filter((b) => b.completedAt)
    .map((b) => ({ t: Date.parse(b.completedAt!) / 1000, size: b.sizeBytes / MiB, dur: b.durationMs / 1000 }))
    .sort((a, b) => a.t - b.t);
  return [rows.map((r) => r.t), rows.map((r) => r.size), rows.map((r) => r.dur)];
}
