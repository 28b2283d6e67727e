import { setTimeout as sleep } from "node:timers/promises";
import { err, type Result } from "@walwarden/verifier";
import type {
  ClaimRestoreResponse,
  ProgressRequestSchema,
  TransitionRequestSchema,
  TransitionResponse,
} from "@walwarden/verifier/wire";
import type { z } from "zod";
import { CLI_VERSION } from "../version.js";
import { parseAnswer, requestJson, sendJson, type Fetch } from "./http.js";

/** The wire schemas, loaded on first use (most of the verifier's weight: the claim is sent before they load). */
const wire = () => import("@walwarden/verifier/wire");

/** A claimed restore: everything the CLI needs to download and verify (the wire's ClaimRestoreResponse). */
export type ClaimedRestore = ClaimRestoreResponse;
/** A transition report. */
export type TransitionRequest = z.input<typeof TransitionRequestSchema>;
/** The Worker's answer to a transition. */
export type { TransitionResponse };
/** A progress report. */
export type ProgressRequest = z.infer<typeof ProgressRequestSchema>;

/** Why a claim failed: the Worker's refusals, then the CLI's own. */
export type ClaimErrorCode =
  | "already-claimed"
  | "expired"
  | "cancelled"
  | "wrong-org"
  | "unknown-token"
  | "bad-request"
  | "rate-limited"
  | "unavailable"
  | "unreachable"
  | "bad-response";

/** Why a transition was not recorded. */
export type TransitionErrorCode = "refused" | "unreachable" | "bad-response";

/** The restore protocol as the CLI uses it (worker API §Restores). */
export interface RestoreApi {
  /** POST /v1/restores/claim: consumes the one-time token. Never retried (a second claim would be refused). */
  claim(token: string, orgId: string): Promise<Result<ClaimedRestore, ClaimErrorCode>>;
  /** POST /v1/restores/:id/transition, retried on network errors and 5xx (repeating a transition is idempotent). */
  transition(
    restoreId: string,
    progressToken: string,
    t: TransitionRequest,
  ): Promise<Result<TransitionResponse, TransitionErrorCode>>;
  /** POST /v1/restores/:id/progress, once, best effort: true if accepted. */
  progress(restoreId: string, progressToken: string, p: ProgressRequest): Promise<boolean>;
}

/** How transitions are retried. */
export interface RetryPolicy {
  attempts: number;
  /** First pause; each next one doubles. */
  baseMs: number;
}

/** Five attempts over about 7.5 s. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500 };

/** The restore protocol over HTTP against `api` (the base URL). */
export function httpRestoreApi(api: string, fetchImpl: Fetch = fetch, retry: RetryPolicy = DEFAULT_RETRY): RestoreApi {
  return {
    async claim(token, orgId) {
      // Sent first; the schema that checks the answer loads while the API works on it.
      const sent = sendJson(fetchImpl, `${api}/v1/restores/claim`, {
        method: "POST",
        body: { token, orgId, clientVersion: CLI_VERSION },
      });
      const [{ ClaimRestoreResponseSchema }, answer] = await Promise.all([wire(), sent]);
      const r = await parseAnswer(answer, ClaimRestoreResponseSchema);
      if (r.ok) return r;
      return err(
        claimErrorCode(r.code, r.status, r.apiCode),
        claimMessage(claimErrorCode(r.code, r.status, r.apiCode), api, orgId, r.message),
      );
    },
    async transition(restoreId, progressToken, t) {
      const url = `${api}/v1/restores/${encodeURIComponent(restoreId)}/transition`;
      const { TransitionResponseSchema } = await wire();
      let last = "";
      for (let attempt = 1; attempt <= retry.attempts; attempt++) {
        const r = await requestJson(
          fetchImpl,
          url,
          { method: "POST", body: t, bearer: progressToken, timeoutMs: 20_000 },
          TransitionResponseSchema,
        );
        if (r.ok) return r;
        if (r.code === "refused") return err("refused", `the API refused the ${t.state} transition: ${r.message}`);
        if (r.code === "bad-response")
          return err(
            "bad-response",
            `the API's answer to the ${t.state} transition is not what the CLI expects: ${r.message}`,
          );
        last = r.message;
        if (attempt < retry.attempts) await sleep(retry.baseMs * 2 ** (attempt - 1));
      }
      return err(
        "unreachable",
        `could not report the ${t.state} transition to ${api} after ${retry.attempts} attempts (${last})`,
      );
    },
    async progress(restoreId, progressToken, p) {
      const r = await requestJson(
        fetchImpl,
        `${api}/v1/restores/${encodeURIComponent(restoreId)}/progress`,
        { method: "POST", body: p, bearer: progressToken, timeoutMs: 5_000 },
        undefined,
      );
      return r.ok;
    },
  };
}

function claimErrorCode(code: string, status: number | undefined, apiCode: string | undefined): ClaimErrorCode {
  if (code === "network") return "unreachable";
  if (code === "server") return "unavailable";
  if (code === "bad-response") return "bad-response";
  const known: ClaimErrorCode[] = [
    "already-claimed",
    "expired",
    "cancelled",
    "wrong-org",
    "unknown-token",
    "rate-limited",
    "bad-request",
  ];
  if (apiCode && (known as string[]).includes(apiCode)) return apiCode as ClaimErrorCode;
  switch (status) {
    case 409:
      return "already-claimed";
    case 410:
      return "expired";
    case 403:
      return "wrong-org";
    case 404:
      return "unknown-token";
    case 429:
      return "rate-limited";
    default:
      return "bad-request";
  }
}

/** What to tell the operator about a refused or failed claim. */
function claimMessage(code: ClaimErrorCode, api: string, orgId: string, detail: string): string {
  switch (code) {
    case "already-claimed":
      return "this restore token was already used (a token works once). If it was not you, tell an admin: the audit log records the claim. Issue a new restore in the dashboard and run the command it shows.";
    case "expired":
      return "this restore token has expired (a token is valid for at most 15 minutes after it is issued, less if the deployment sets a shorter lifetime). Issue a new restore in the dashboard and run the command it shows.";
    case "cancelled":
      return "this restore was cancelled in the dashboard before it was claimed, so its token no longer works. The target was not touched. Ask an operator to issue a new restore (its page offers to re-issue) and run the command it shows.";
    case "wrong-org":
      return `this restore token belongs to another organization, not ${orgId}: check --org (the command shown with the token has the right one). The token was not used.`;
    case "unknown-token":
      return `${api} does not know this restore token. Check that you copied all of it and that --api is the deployment that issued it.`;
    case "rate-limited":
      return `${api} is refusing claims from here for a while (too many attempts): wait a minute and try again.`;
    case "bad-request":
      return `${api} refused the claim (${detail}).`;
    case "bad-response":
      return `${api} answered the claim with something the CLI does not understand (${detail}): the API and this CLI (${CLI_VERSION}) may be of different versions. If the claim went through the token is used; ask for a new one.`;
    case "unavailable":
      return `${api} could not serve the claim (${detail}). The target was not touched. Run the command again once that is fixed (an admin may need to act on the message); if it then says the token was already used, issue a new restore.`;
    case "unreachable":
      return `could not claim the restore at ${api} (${detail}). The target was not touched. If the request reached the API the token may be used: run the command again, and if it says the token was already used, issue a new restore.`;
  }
}
