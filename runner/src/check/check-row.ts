import type { PrivilegeFinding } from "./privileges/privilege-findings.js";

/** One line of the check table (its own file: check.ts and the privilege rows it runs both name it). */
export interface CheckRow {
  check: string;
  ok: boolean;
  detail: string;
  /** Worth a look but not a failure (`ok` stays true; the table says `warn`): a posture part unknown, a lifecycle rule deleting before the lock. */
  warning?: true;
  /** A privilege problem pg_dump would fail on (the `privileges <id>` rows), for --json readers. */
  finding?: PrivilegeFinding;
}
