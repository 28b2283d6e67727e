import type { Result } from "@walwarden/verifier";
import { ApiError } from "../http/errors.js";
import type { AppendEvent, AppendResult, Ledger, LedgerErrorCode } from "./ledger.js";

/** The binding a caller of the Ledger needs (Env has it; so does a Durable Object that appends to the log). */
export interface LedgerBinding {
  LEDGER: DurableObjectNamespace<Ledger>;
}

/** The org's Ledger stub. */
export function ledgerOf(env: LedgerBinding, orgId: string) {
  return env.LEDGER.get(env.LEDGER.idFromName(orgId));
}

/** Unwraps a Ledger result for a route: a bad request is the caller's 400, a lagging D1 copy a 503, anything else a 500. */
export function unwrapLedger<T>(r: Result<T, LedgerErrorCode>): T {
  if (r.ok) return r.value;
  if (r.code === "out-of-range") throw new ApiError(400, "bad-request", r.message);
  if (r.code === "invalid-entry") throw new ApiError(400, "bad-request", r.message);
  if (r.code === "mirror-behind") throw new ApiError(503, "unavailable", r.message);
  throw new Error(`ledger: ${r.code}: ${r.message}`);
}

/** Appends events to an org's log and returns the result (throws on a Ledger refusal). */
export async function appendToLog(env: LedgerBinding, orgId: string, events: AppendEvent[]): Promise<AppendResult> {
  return unwrapLedger(await ledgerOf(env, orgId).append(orgId, events));
}
