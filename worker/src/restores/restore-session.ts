import { DurableObject } from "cloudflare:workers";
import { canTransition, err, ok, TERMINAL_STATES, type RestoreState, type Result } from "@walwarden/verifier";
import type {
  ApiError,
  ClaimRejectionSchema,
  ProgressRequestSchema,
  RestoreView as RestoreViewAnswer,
  TransitionEvent,
  TransitionRequestSchema,
} from "@walwarden/verifier/wire";
import type { z } from "zod";
import { intVar, type CoreEnv } from "../core-env.js";
import { appendToLog, type LedgerBinding } from "../ledger/client.js";
import type { AppendEvent } from "../ledger/ledger.js";
import { newSecret, sha256Hex, timingSafeEqualText } from "../lib/crypto.js";
import { durationText, iso } from "../lib/time.js";
import { safeText } from "../log/free-text.js";
import { logError } from "../log/log-error.js";
import { SseHub } from "./sse-hub.js";
import { MAX_BACKLOG_BYTES, MAX_STREAMS_PER_PRINCIPAL, VIEWER_HEADER } from "./sse-limits.js";

type ClaimRejection = z.infer<typeof ClaimRejectionSchema>;
type TransitionRequest = z.infer<typeof TransitionRequestSchema>;
type ProgressRequest = z.infer<typeof ProgressRequestSchema>;

/** What the Worker hands the session when it issues a restore. */
export interface IssueParams {
  restoreId: string;
  orgId: string;
  backupId: string;
  databaseId: string;
  tokenSha256: string;
  issuedBy: string;
  issuedAt: number;
  expiresAt: number;
}

/** The session's record (one row). */
interface Restore extends IssueParams {
  state: RestoreState;
  progressSha256: string | null;
  claimedAt: number | null;
  finishedAt: number | null;
  lastActivityAt: number;
  dryRun: boolean | null;
  failure: { stage: string; reason: string } | null;
}

/** One state change as kept here and streamed (the wire's TransitionEvent): n is its place in this restore's history (and the SSE id). */
export type Transition = TransitionEvent;

/** What a session uses of the Worker's env: the vars, D1 and the Ledger it appends transitions to. */
type RestoreSessionEnv = CoreEnv & LedgerBinding;

/**
 * The session seen from outside: GET /v1/restores/:id's answer (RestoreViewSchema) plus the org it belongs to,
 * less the names the route adds from D1 (the database's and the issuer's).
 */
export type RestoreView = Omit<RestoreViewAnswer, "databaseName" | "issuedByName"> & { orgId: string };

/** Why the session refused something. */
export type SessionErrorCode =
  | ClaimRejection
  | "not-found"
  | "unauthenticated"
  | "bad-transition"
  | "not-cancellable"
  | "log-unavailable";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS restore (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transitions (n INTEGER PRIMARY KEY, state TEXT NOT NULL UNIQUE, at INTEGER NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER);
`;

/** How often to retry appending transitions the Ledger did not take. */
const LOG_RETRY_MS = 5_000;

/**
 * RestoreSession: one per restore (`idFromName(restoreId)`). It holds the one-time token's hash and the
 * restore's state machine (`issued → claimed → downloading → verifying → restoring → completed | failed`,
 * plus `expired` by alarm and `cancelled` by an operator before a claim). A claim checks and consumes the
 * token in one synchronous step, and a cancel checks and revokes it in one, so of a claim and a cancel at
 * once exactly one wins. Every transition
 * is kept here, appended to the org's log through its Ledger (idempotently, by `restore:<id>:<state>`),
 * copied to D1, and only then fanned out to the dashboard's Server-Sent Event streams. Progress numbers
 * stream to subscribers but are not logged.
 */
export class RestoreSession extends DurableObject<RestoreSessionEnv> {
  private readonly sql: SqlStorage;
  private cached: Restore | undefined;
  private readonly hub: SseHub;
  private flushing: Promise<Result<void, "log-unavailable">> | undefined;

  constructor(ctx: DurableObjectState, env: RestoreSessionEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    this.hub = new SseHub({
      maxSubscribers: intVar(env.RESTORE_MAX_SUBSCRIBERS, 1000),
      maxPerPrincipal: MAX_STREAMS_PER_PRINCIPAL,
      maxBacklogBytes: MAX_BACKLOG_BYTES,
      heartbeatMs: intVar(env.RESTORE_SSE_HEARTBEAT_SECONDS, 15) * 1000,
    });
  }

  private record(): Restore | undefined {
    if (!this.cached) {
      const row = this.sql.exec<{ record: string }>("SELECT record FROM restore WHERE id = 1").toArray()[0];
      this.cached = row ? (JSON.parse(row.record) as Restore) : undefined;
    }
    return this.cached;
  }

  private save(r: Restore): void {
    this.sql.exec(
      "INSERT INTO restore (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
      JSON.stringify(r),
    );
    this.cached = r;
  }

  /** Records a transition (not yet logged) and moves the state; synchronous, so nothing interleaves. */
  private move(r: Restore, state: RestoreState, actor: string, data: Record<string, unknown>, now: number): void {
    const n = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM transitions").one().n + 1;
    this.sql.exec(
      "INSERT INTO transitions (n, state, at, actor, data, seq) VALUES (?, ?, ?, ?, ?, NULL)",
      n,
      state,
      now,
      actor,
      JSON.stringify(data),
    );
    const next: Restore = { ...r, state, lastActivityAt: now };
    if (state === "claimed") next.claimedAt = now;
    if (TERMINAL_STATES.has(state)) next.finishedAt = now;
    if (state === "completed") next.dryRun = data.dryRun === true;
    if (state === "failed") next.failure = { stage: String(data.stage), reason: String(data.reason) };
    this.save(next);
  }

  /** Creates the session (idempotent for the same restore) and logs restore.token_issued. */
  async issue(p: IssueParams): Promise<Result<Transition, SessionErrorCode>> {
    if (!this.record()) {
      this.save({
        ...p,
        state: "issued",
        progressSha256: null,
        claimedAt: null,
        finishedAt: null,
        lastActivityAt: p.issuedAt,
        dryRun: null,
        failure: null,
      });
      this.sql.exec(
        "INSERT INTO transitions (n, state, at, actor, data, seq) VALUES (1, 'issued', ?, ?, ?, NULL)",
        p.issuedAt,
        p.issuedBy,
        JSON.stringify({
          restoreId: p.restoreId,
          backupId: p.backupId,
          databaseId: p.databaseId,
          tokenSha256: p.tokenSha256,
          expiresAt: iso(p.expiresAt),
        }),
      );
      await this.ctx.storage.setAlarm(p.expiresAt);
    }
    const flushed = await this.flush();
    if (!flushed.ok) return flushed;
    return ok(this.transitions(0)[0]!);
  }

  /**
   * Consumes the one-time token: the check and the state change happen in one synchronous step (no await
   * in between), so of two concurrent claims exactly one wins. A refusal is logged as restore.claim_rejected.
   * Returns the progress credential (shown once; only its hash is kept).
   */
  async claim(
    tokenSha256: string,
    orgId: string,
    clientVersion: string,
    now: number,
  ): Promise<Result<{ progressToken: string; restore: RestoreView }, SessionErrorCode>> {
    // Made before the check, so that nothing is awaited between the check and the consume.
    const progressToken = newSecret("wwp");
    const progressSha256 = await sha256Hex(progressToken);
    const r = this.record();
    if (!r || !timingSafeEqualText(r.tokenSha256, tokenSha256))
      return err("unknown-token", "no restore has this token");
    const rejection = this.claimRejection(r, orgId, now);
    if (rejection) {
      if (rejection === "expired" && r.state === "issued")
        this.move(r, "expired", "system:restore-session", { restoreId: r.restoreId, backupId: r.backupId }, now);
      await this.logRejection(r, rejection, now);
      await this.flush();
      return err(rejection, claimMessage(rejection, r));
    }
    this.move(
      r,
      "claimed",
      `restore:${r.restoreId}`,
      { restoreId: r.restoreId, backupId: r.backupId, clientVersion: safeText(clientVersion, 64) },
      now,
    );
    this.save({ ...this.record()!, progressSha256 });
    const flushed = await this.flush();
    if (!flushed.ok) return flushed;
    return ok({ progressToken, restore: this.view() });
  }

  private claimRejection(r: Restore, orgId: string, now: number): ClaimRejection | undefined {
    if (orgId !== r.orgId) return "wrong-org";
    if (r.state === "cancelled") return "cancelled";
    if (r.state === "expired" || (r.state === "issued" && now >= r.expiresAt)) return "expired";
    if (r.state !== "issued") return "already-claimed";
    return undefined;
  }

  private async logRejection(r: Restore, reason: ClaimRejection, now: number): Promise<void> {
    try {
      await appendToLog(this.env, r.orgId, [
        {
          key: `claim_rejected:${r.restoreId}:${now}:${crypto.randomUUID()}`,
          type: "restore.claim_rejected",
          actor: "system:restore-session",
          subject: `restore:${r.restoreId}`,
          data: { restoreId: r.restoreId, tokenSha256: r.tokenSha256, reason },
        },
      ]);
    } catch (e) {
      logError("restore: could not log a rejected claim", e);
    }
  }

  /**
   * An operator revokes the token before any CLI claimed it: logged as restore.cancelled with the operator as
   * actor. The check and the state change are one synchronous step (nothing awaited between), so a claim
   * and a cancel never both win. Cancelling a cancelled restore answers the same again (a retry is safe);
   * a claimed, finished or expired restore is refused.
   */
  async cancel(actor: string, now: number): Promise<Result<Transition, SessionErrorCode>> {
    const r = this.record();
    if (!r) return err("not-found", "restore not found");
    if (r.state === "issued" && now >= r.expiresAt) {
      this.move(r, "expired", "system:restore-session", { restoreId: r.restoreId, backupId: r.backupId }, now);
      await this.flush();
      return err("not-cancellable", "the restore's token expired before it was cancelled; nothing can claim it");
    }
    if (r.state === "issued") this.move(r, "cancelled", actor, { restoreId: r.restoreId, backupId: r.backupId }, now);
    else if (r.state !== "cancelled") return err("not-cancellable", notCancellable(r.state));
    const flushed = await this.flush();
    if (!flushed.ok) return flushed;
    const t = this.transitions(0).find((x) => x.state === "cancelled");
    if (!t) return err("log-unavailable", "the cancel is not logged yet; try again shortly");
    return ok(t);
  }

  /** Checks the progress credential in constant time. */
  private async authorized(progressToken: string): Promise<Result<Restore, SessionErrorCode>> {
    const r = this.record();
    if (!r) return err("not-found", "restore not found");
    const hash = await sha256Hex(progressToken);
    if (!r.progressSha256 || !timingSafeEqualText(r.progressSha256, hash))
      return err("unauthenticated", "this progress credential is not this restore's");
    return ok(r);
  }

  /**
   * A state change reported by the CLI. Repeating the current state is answered like the first time
   * (so a retry after a lost answer is safe); anything the state machine does not allow is refused.
   */
  async transition(
    progressToken: string,
    t: TransitionRequest,
    now: number,
  ): Promise<Result<Transition, SessionErrorCode>> {
    const auth = await this.authorized(progressToken);
    if (!auth.ok) return auth;
    const r = this.record()!;
    if (r.state !== t.state) {
      if (!canTransition(r.state, t.state))
        return err("bad-transition", `a restore that is ${r.state} cannot become ${t.state}`);
      if (t.state === "completed" && t.dryRun !== (r.state === "verifying"))
        return err(
          "bad-transition",
          r.state === "verifying"
            ? "only a dry run completes from verifying; report restoring first"
            : "a dry run completes from verifying, not from restoring",
        );
      this.move(r, t.state, `restore:${r.restoreId}`, dataOf(r, t), now);
    }
    const flushed = await this.flush();
    if (!flushed.ok) return flushed;
    const last = this.transitions(0).find((x) => x.state === t.state);
    if (!last) return err("log-unavailable", "transition not logged yet");
    return ok(last);
  }

  /** Live numbers from the CLI: streamed to subscribers, kept as the latest, never logged. */
  async progress(progressToken: string, p: ProgressRequest, now: number): Promise<Result<void, SessionErrorCode>> {
    const auth = await this.authorized(progressToken);
    if (!auth.ok) return auth;
    const r = auth.value;
    if (TERMINAL_STATES.has(r.state))
      return err("bad-transition", `the restore is ${r.state}; no more progress is taken`);
    this.save({ ...r, lastActivityAt: now });
    const detail = p.detail === undefined ? {} : { detail: safeText(p.detail, 300) };
    this.hub.progress({ ...p, ...detail, restoreId: r.restoreId, at: iso(now)! });
    return ok(undefined);
  }

  /** The record and its logged history, or undefined if this session was never issued. */
  view(): RestoreView {
    const r = this.record()!;
    return {
      id: r.restoreId,
      orgId: r.orgId,
      backupId: r.backupId,
      databaseId: r.databaseId,
      state: r.state,
      issuedBy: r.issuedBy,
      issuedAt: iso(r.issuedAt)!,
      expiresAt: iso(r.expiresAt)!,
      claimedAt: iso(r.claimedAt),
      finishedAt: iso(r.finishedAt),
      dryRun: r.dryRun,
      failure: r.failure,
      transitions: this.transitions(0),
    };
  }

  /** True once issued. */
  exists(): boolean {
    return this.record() !== undefined;
  }

  /** Logged transitions after `afterN`, in order. */
  private transitions(afterN: number): Transition[] {
    const r = this.record();
    if (!r) return [];
    return this.sql
      .exec<{ n: number; state: RestoreState; at: number; data: string; seq: number }>(
        "SELECT n, state, at, data, seq FROM transitions WHERE n > ? AND seq IS NOT NULL ORDER BY n",
        afterN,
      )
      .toArray()
      .map((t) => ({
        restoreId: r.restoreId,
        n: t.n,
        state: t.state,
        at: iso(t.at)!,
        seq: t.seq,
        data: JSON.parse(t.data) as Record<string, unknown>,
      }));
  }

  /**
   * Appends the transitions not yet in the log (in order, one Ledger call), updates the D1 copy, then
   * streams them. Single-flight; on failure an alarm retries and the caller hears log-unavailable.
   */
  private flush(): Promise<Result<void, "log-unavailable">> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<Result<void, "log-unavailable">> {
    const r = this.record();
    if (!r) return ok(undefined);
    const pending = this.sql
      .exec<{ n: number; state: RestoreState; actor: string; data: string }>(
        "SELECT n, state, actor, data FROM transitions WHERE seq IS NULL ORDER BY n",
      )
      .toArray();
    if (pending.length === 0) return ok(undefined);
    const events: AppendEvent[] = pending.map((t) => ({
      key: `restore:${r.restoreId}:${t.state}`,
      type: `restore.${t.state === "issued" ? "token_issued" : t.state}` as AppendEvent["type"],
      actor: t.actor,
      subject: `restore:${r.restoreId}`,
      data: JSON.parse(t.data) as AppendEvent["data"],
    }));
    try {
      const appended = await appendToLog(this.env, r.orgId, events);
      for (const [i, t] of pending.entries())
        this.sql.exec("UPDATE transitions SET seq = ? WHERE n = ?", appended.entries[i]!.seq, t.n);
    } catch (e) {
      logError("restore: log append failed; retrying by alarm", e);
      await this.ctx.storage.setAlarm(Date.now() + LOG_RETRY_MS);
      return err(
        "log-unavailable",
        "the audit log did not take this transition; it is kept and retried, try again shortly",
      );
    }
    await this.copyToD1(this.record()!);
    const fresh = this.transitions(pending[0]!.n - 1);
    for (const t of fresh) this.hub.transition(t);
    if (TERMINAL_STATES.has(this.record()!.state)) this.hub.closeAll();
    return ok(undefined);
  }

  /** Updates the queryable D1 row; the session stays the original, so a failed copy is reported, not fatal. */
  private async copyToD1(r: Restore): Promise<void> {
    try {
      await this.env.DB.prepare(
        `UPDATE restores SET state = ?1, claimed_at = ?2, finished_at = ?3, dry_run = ?4, failure_stage = ?5, failure_reason = ?6 WHERE id = ?7 AND org_id = ?8`,
      )
        .bind(
          r.state,
          r.claimedAt,
          r.finishedAt,
          r.dryRun === null ? null : r.dryRun ? 1 : 0,
          r.failure?.stage ?? null,
          r.failure?.reason ?? null,
          r.restoreId,
          r.orgId,
        )
        .run();
    } catch (e) {
      logError("restore: D1 copy failed", e);
    }
  }

  /** GET events: a Server-Sent Event stream of this restore for the viewer the Worker checked and named. */
  override async fetch(request: Request): Promise<Response> {
    const r = this.record();
    if (!r) return refusal(404, "not-found", "restore not found");
    const principal = request.headers.get(VIEWER_HEADER);
    if (!principal) return refusal(400, "bad-request", `the Worker names the viewer in ${VIEWER_HEADER}`);
    const lastId = Number(request.headers.get("last-event-id") ?? "0");
    const after = Number.isSafeInteger(lastId) && lastId > 0 ? lastId : 0;
    return this.hub.subscribe(this.transitions(after), after, TERMINAL_STATES.has(r.state), principal, request.signal);
  }

  /** Expires an unclaimed token; fails a claimed restore the CLI stopped reporting on; retries logging. */
  override async alarm(): Promise<void> {
    const r = this.record();
    if (!r) return;
    const now = Date.now();
    if (r.state === "issued" && now >= r.expiresAt)
      this.move(r, "expired", "system:restore-session", { restoreId: r.restoreId, backupId: r.backupId }, now);
    const idleMs = intVar(this.env.RESTORE_IDLE_TIMEOUT_SECONDS, 600) * 1000;
    const cur = this.record()!;
    if (!TERMINAL_STATES.has(cur.state) && cur.state !== "issued" && now - cur.lastActivityAt >= idleMs)
      this.move(
        cur,
        "failed",
        "system:restore-session",
        {
          restoreId: r.restoreId,
          backupId: r.backupId,
          stage: "abandoned",
          reason: `the CLI reported nothing for ${idleMs / 1000} s`,
        },
        now,
      );
    const flushed = await this.flush();
    const after = this.record()!;
    if (!flushed.ok) return; // flush set a retry alarm
    if (after.state === "issued") await this.ctx.storage.setAlarm(after.expiresAt);
    else if (!TERMINAL_STATES.has(after.state)) await this.ctx.storage.setAlarm(after.lastActivityAt + idleMs);
  }
}

/**
 * Why a claim was refused, in words. An expired token says how long it lived: its own lifetime, as
 * issued (RESTORE_TOKEN_TTL_SECONDS at the time), not a fixed number that holds only for the default.
 */
function claimMessage(rejection: ClaimRejection, r: Restore): string {
  switch (rejection) {
    case "already-claimed":
      return "this restore token was already used; ask an operator for a new one";
    case "expired":
      return `this restore token expired (it was valid for ${durationText(r.expiresAt - r.issuedAt)} after it was issued); ask an operator for a new one`;
    case "wrong-org":
      return "this restore token belongs to another organisation than the one given with --org";
    case "unknown-token":
      return "no restore has this token; check you copied the whole command";
    case "cancelled":
      return "this restore was cancelled in the dashboard before it was claimed, so its token no longer works; ask an operator to issue a new one";
  }
}

/** Why a restore in `state` cannot be cancelled. */
function notCancellable(state: RestoreState): string {
  if (state === "expired") return "the restore's token expired before it was cancelled; nothing can claim it";
  if (state === "completed" || state === "failed")
    return `the restore has already ${state === "completed" ? "completed" : "failed"}`;
  return `the CLI has already claimed this restore (it is ${state}): a claimed restore cannot be cancelled; stop the CLI on its machine`;
}

/** A refusal of the events endpoint, in the API's error shape. */
function refusal(status: 400 | 404, code: "bad-request" | "not-found", message: string): Response {
  return Response.json({ error: { code, message } } satisfies ApiError, { status });
}

/** The logged data of a reported transition. */
function dataOf(r: Restore, t: TransitionRequest): Record<string, unknown> {
  const ref = { restoreId: r.restoreId, backupId: r.backupId };
  if (t.state === "verifying") return { ...ref, sha256: t.sha256 ?? null };
  if (t.state === "completed") return { ...ref, dryRun: t.dryRun === true };
  // Free text from the CLI: redacted before it is kept, logged or streamed.
  if (t.state === "failed")
    return { ...ref, stage: safeText(t.stage ?? "", 64), reason: safeText(t.reason ?? "", 4000) };
  return ref;
}
