import type { z } from "zod";
import type { Result } from "../result.js";
import type { CheckSchema, CheckStatusSchema, VerificationReportSchema } from "../wire/verify.js";

/** The status of one check. `skip` is for checks the bundle cannot decide (said why in `detail`). */
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** One named check of a verification, with its outcome and why. */
export type Check = z.infer<typeof CheckSchema>;

/** A verification report: every check that ran, then the verdict (the wire's VerificationReportSchema). */
export type Report = z.infer<typeof VerificationReportSchema>;

/** Accumulates checks in order and computes the verdict: verified only if something passed and nothing failed. */
export class ReportBuilder {
  private readonly checks: Check[] = [];

  /** Records a check. */
  add(id: string, name: string, status: CheckStatus, detail: string): CheckStatus {
    this.checks.push({ id, name, status, detail });
    return status;
  }

  /** Records a pass or a fail from a boolean. */
  expect(id: string, name: string, passed: boolean, passDetail: string, failDetail: string): boolean {
    this.add(id, name, passed ? "pass" : "fail", passed ? passDetail : failDetail);
    return passed;
  }

  /** Records a Result as a check: its value if it passed, undefined (and a fail naming its code) if not. */
  result<T>(id: string, name: string, r: Result<T, string>, passDetail: (value: T) => string): T | undefined {
    this.add(id, name, r.ok ? "pass" : "fail", r.ok ? passDetail(r.value) : `${r.code}: ${r.message}`);
    return r.ok ? r.value : undefined;
  }

  /** Records, after those so far, the checks another builder recorded (checks run ahead of their turn). */
  append(other: ReportBuilder): void {
    for (const c of other.checks) this.checks.push(c);
  }

  /** True if any check failed so far. */
  get failed(): boolean {
    return this.checks.some((c) => c.status === "fail");
  }

  /** The finished report. */
  build(): Report {
    const failed = this.checks.find((c) => c.status === "fail");
    const verdict = !failed && this.checks.some((c) => c.status === "pass") ? "verified" : "not-verified";
    return failed ? { checks: this.checks, verdict, failed: failed.id } : { checks: this.checks, verdict };
  }
}
