// A stand-in for the Worker's restore routes that holds the CLI to the wire contract
// (verifier/src/wire/restore.ts): every request is parsed with the contract's schemas (a violation is a
// 400 and is recorded in `violations`), every answer is checked against them before it is sent, the
// state machine is the verifier's (canTransition), and repeating the current state is answered 200.
// The real Worker cannot be made to hand out a kit it did not sign, nor to vanish at a chosen
// transition; these tests need both. End-to-end runs against the real Worker are in test/e2e.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { canTransition, type RestoreState } from "@walwarden/verifier";
import {
  ClaimRestoreRequestSchema,
  ClaimRestoreResponseSchema,
  ProgressRequestSchema,
  PublishedKeysSchema,
  TransitionRequestSchema,
  type PublishedKeys,
} from "@walwarden/verifier/wire";
import type { z } from "zod";
import type { TestKit } from "./kit.js";

type TransitionRequest = z.infer<typeof TransitionRequestSchema>;
type ProgressRequest = z.infer<typeof ProgressRequestSchema>;

/** One restore the stand-in can hand out. */
export interface OfferedRestore {
  restoreId: string;
  token: string;
  progressToken: string;
  orgId: string;
  kit: TestKit;
  download: { url: string; sizeBytes: number; expiresAt: string };
  /** A refusal to answer the claim with instead (already-claimed, expired…). */
  refuse?: "already-claimed" | "expired" | "cancelled" | "unavailable";
  state: RestoreState;
  transitions: TransitionRequest[];
  progress: ProgressRequest[];
}

/** One request as received. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** What a transition fault does: cut the connection, or answer this status. */
export type TransitionFault = "drop" | number | undefined;

/** A running stand-in. */
export interface ContractWorker {
  url: string;
  published: PublishedKeys;
  restores: Map<string, OfferedRestore>;
  requests: SeenRequest[];
  /** Requests that broke the contract (should stay empty). */
  violations: string[];
  /** Consulted for each transition request. */
  transitionFault: ((t: TransitionRequest, r: OfferedRestore) => TransitionFault) | undefined;
  /** How long the claim is answered after it arrived (0: at once): a slow Worker, so that the CLI's checks end first. */
  claimDelayMs: number;
  /** Makes a restore claimable with a fresh token. */
  offer(
    kit: TestKit,
    download: { url: string; sizeBytes?: number; expiresAt?: string },
    o?: { orgId?: string; refuse?: OfferedRestore["refuse"] },
  ): OfferedRestore;
  stop(): Promise<void>;
}

const secret = (prefix: string) => `${prefix}_${randomBytes(32).toString("base64url")}`;

/** Starts the stand-in on a free loopback port, publishing `published`. */
export async function startContractWorker(published: PublishedKeys): Promise<ContractWorker> {
  let n = 0;
  let seq = 100;
  const w: ContractWorker = {
    url: "",
    published,
    restores: new Map(),
    requests: [],
    violations: [],
    transitionFault: undefined,
    claimDelayMs: 0,
    offer(kit, download, o = {}) {
      const r: OfferedRestore = {
        restoreId: `rs_${++n}`,
        token: secret("wwo"),
        progressToken: secret("wwp"),
        orgId: o.orgId ?? kit.predicate.orgId,
        kit,
        download: {
          url: download.url,
          sizeBytes: download.sizeBytes ?? kit.predicate.sizeBytes,
          expiresAt: download.expiresAt ?? new Date(Date.now() + 15 * 60_000).toISOString(),
        },
        ...(o.refuse ? { refuse: o.refuse } : {}),
        state: "issued",
        transitions: [],
        progress: [],
      };
      w.restores.set(r.restoreId, r);
      return r;
    },
    stop: () => new Promise((done) => server.close(() => done())),
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  };
  const refuse = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error: { code, message } });
  const parse = <S extends z.ZodType>(schema: S, text: string, what: string): z.infer<S> | undefined => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      w.violations.push(`${what}: not JSON`);
      return undefined;
    }
    const p = schema.safeParse(json);
    if (!p.success)
      w.violations.push(`${what}: ${p.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return p.success ? p.data : undefined;
  };
  const byCredential = (req: IncomingMessage, id: string): OfferedRestore | undefined => {
    const r = w.restores.get(id);
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    return r && bearer === r.progressToken ? r : undefined;
  };

  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (s: string) => (body += s));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      w.requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      if (req.method === "POST" && path === "/v1/restores/claim" && w.claimDelayMs > 0) {
        const delay = w.claimDelayMs;
        return void setTimeout(() => answer(req, res, path, body), delay);
      }
      answer(req, res, path, body);
    });
  });
  // Answers one request (the claim possibly claimDelayMs after it arrived).
  const answer = (req: IncomingMessage, res: ServerResponse, path: string, body: string) => {
    if (req.method === "GET" && path === "/.well-known/walwarden/keys")
      return send(res, 200, PublishedKeysSchema.parse(w.published));
    if (req.method === "POST" && path === "/v1/restores/claim") {
      const c = parse(ClaimRestoreRequestSchema, body, "claim");
      if (!c) return refuse(res, 400, "bad-request", "invalid body");
      const r = [...w.restores.values()].find((x) => x.token === c.token);
      if (!r) return refuse(res, 404, "unknown-token", "unknown restore token");
      if (r.refuse === "expired") return refuse(res, 410, "expired", "the restore token expired");
      if (r.refuse === "cancelled") return refuse(res, 410, "cancelled", "this restore was cancelled");
      if (r.refuse === "unavailable")
        return refuse(res, 503, "unavailable", "no read-only credential is set for bucket acme-backups");
      if (r.refuse === "already-claimed" || r.state !== "issued")
        return refuse(res, 409, "already-claimed", "the restore token was already used");
      if (c.orgId !== r.orgId) return refuse(res, 403, "wrong-org", "the token belongs to another organization");
      r.state = "claimed";
      const claimed = ClaimRestoreResponseSchema.parse({
        restoreId: r.restoreId,
        backupId: r.kit.predicate.backupId,
        orgId: r.orgId,
        databaseId: r.kit.predicate.databaseId,
        envelope: r.kit.envelope,
        entry: r.kit.entry,
        proof: r.kit.proof,
        checkpoint: r.kit.checkpoint,
        download: r.download,
        progressToken: r.progressToken,
      });
      return send(res, 200, claimed);
    }
    const m = /^\/v1\/restores\/([^/]+)\/(transition|progress)$/.exec(path);
    if (req.method === "POST" && m) {
      const r = byCredential(req, decodeURIComponent(m[1]!));
      if (!r) return refuse(res, 401, "unauthenticated", "send the progress credential");
      if (m[2] === "progress") {
        const p = parse(ProgressRequestSchema, body, "progress");
        if (!p) return refuse(res, 400, "bad-request", "invalid body");
        r.progress.push(p);
        return send(res, 202, {});
      }
      const t = parse(TransitionRequestSchema, body, "transition");
      if (!t) return refuse(res, 400, "bad-request", "invalid body");
      const fault = w.transitionFault?.(t, r);
      if (fault === "drop") return void req.socket.destroy();
      if (typeof fault === "number")
        return refuse(res, fault, fault >= 500 ? "unavailable" : "bad-transition", "injected");
      if (t.state !== r.state) {
        if (!canTransition(r.state, t.state))
          return refuse(res, 409, "bad-transition", `${r.state} → ${t.state} is not allowed`);
        if (t.state === "completed" && t.dryRun !== (r.state === "verifying"))
          return refuse(res, 409, "bad-transition", "dryRun does not match the state");
        r.state = t.state;
        r.transitions.push(t);
      }
      return send(res, 200, { state: r.state, seq: ++seq });
    }
    refuse(res, 404, "not-found", `no route ${req.method} ${path}`);
  };
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  w.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return w;
}
