// A stand-in for the Worker's runner protocol, for the drill tests while the real Worker's drill routes
// are built: every request body is parsed with the wire schemas (@walwarden/verifier/wire) and any that
// does not parse is answered 400 and recorded (the tests require none). It plays the Worker's part as
// SPEC §§7–11 describe it: a queue of jobs claimed by kind with leases that heartbeats extend and that
// expire, `complete` signs the manifest and logs backup.completed in a real Merkle log (test keys), runner
// key registration checks the proof of possession and names the key, and a drill result is verified with
// verifyDrillReceipt against the registered key, idempotent per job and lease; a prune's report (SPEC §12)
// is recorded, and its answer counts the outcomes, idempotent per job and lease. A real-Worker variant of
// the drill tests swaps this for the Worker's URL (DrillApi is all the tests use).
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  artifactUri,
  canonicalBytes,
  type DsseEnvelope,
  formatVkey,
  fromBase64,
  MemoryLog,
  type PgDumpPredicate,
  runnerKeyProofMessage,
  sha256,
  signCheckpoint,
  signManifest,
  toBase64,
  toHex,
  verify,
  verifyDrillReceipt,
  type VerifiedDrillReceipt,
} from "@walwarden/verifier";
import { CHECKPOINT_SIGNER, MANIFEST_SIGNER } from "@walwarden/verifier/testing";
import {
  type ClaimedDrillJob,
  type ClaimedPruneJob,
  ClaimRequestSchema,
  CompleteRequestSchema,
  DrillResultRequestSchema,
  FailRequestSchema,
  HeartbeatRequestSchema,
  type PruneReportRequest,
  PruneReportRequestSchema,
  RunnerKeyRequestSchema,
} from "@walwarden/verifier/wire";
import type { z } from "zod";

/** The stand-in's deployment: its key-name prefix and log origin (the org's log is `<origin>/<orgId>`). */
export const DEPLOYMENT = "test.walwarden.dev";
export const ORG = "org_acme";
export const RUNNER_ID = "rn_01";

/** The published keys document of the stand-in (the test checkpoint and manifest keys). */
export const PUBLISHED_KEYS = {
  origin: `${DEPLOYMENT}/log`,
  checkpoint: [formatVkey(CHECKPOINT_SIGNER.name, CHECKPOINT_SIGNER.publicKey)],
  manifest: [formatVkey(MANIFEST_SIGNER.name, MANIFEST_SIGNER.publicKey)],
};

/** A job as queued by a test: a backup, or a drill's or a prune's job fields (the stand-in adds lease and ids). */
export type QueuedJob =
  | { kind: "backup"; jobId: string; databaseId: string; backupId: string; minLockDays?: number | null }
  | ({ kind: "drill" } & Omit<ClaimedDrillJob, "kind" | "attempt" | "leaseId" | "leaseExpiresAt" | "runnerId">)
  | ({ kind: "prune" } & Omit<ClaimedPruneJob, "kind" | "attempt" | "leaseId" | "leaseExpiresAt" | "runnerId">);

/** What happened to a job. */
export interface JobRecord {
  job: QueuedJob;
  state: "queued" | "claimed" | "completed" | "failed" | "expired" | "drilled" | "pruned";
  /** Claims so far (the claim's attempt). */
  attempts: number;
  leaseId: string | null;
  leaseExpiresAt: number;
  claimedAt: number | null;
  endedAt: number | null;
  phases: string[];
  fail?: { reason: string; retryable: boolean };
  completed?: { predicate: PgDumpPredicate; artifactSha256: string; manifestSha256: string };
  receipt?: { envelope: DsseEnvelope; verified: VerifiedDrillReceipt; posts: number };
  /** A prune's report as taken, and how many times it was posted. */
  prune?: { report: PruneReportRequest; posts: number };
  /** Heartbeats' bytes, in order. */
  bytes: number[];
}

/** The running stand-in. */
export interface StandInWorker {
  url: string;
  jobs: Map<string, JobRecord>;
  /** Every claim's requested kinds, in order. */
  claims: string[][];
  /** Every claim's body as parsed (ClaimRequestSchema), in order: its posture, when it carried one. */
  claimBodies: z.infer<typeof ClaimRequestSchema>[];
  /** Key registrations: the public key (base64) and the answer's status. */
  registrations: { publicKey: string; status: string }[];
  /** Requests whose body did not parse with the wire schema (must stay empty). */
  invalid: { path: string; issue: string }[];
  /** The registered runner key (base64), if any. */
  runnerKey(): string | undefined;
  queue(job: QueuedJob): void;
  /** Queues a job again for another attempt (as the Worker does when a lease expires). */
  requeue(jobId: string): void;
  /** Answer POST /v1/runner/key with this status and code instead (undefined: normally). */
  refuseKeys(status: number | undefined): void;
  /** Publish these keys at /.well-known/walwarden/keys instead of PUBLISHED_KEYS. */
  publish(keys: typeof PUBLISHED_KEYS): void;
  /** Take the next `n` drill results, then drop the connection instead of answering (a lost answer). */
  loseDrillAnswers(n: number): void;
  stop(): Promise<void>;
}

/** Starts the stand-in on loopback; leases last `leaseSeconds` without a heartbeat. */
export async function startStandInWorker({ leaseSeconds = 10 } = {}): Promise<StandInWorker> {
  const jobs = new Map<string, JobRecord>();
  const order: string[] = [];
  const claims: string[][] = [];
  const claimBodies: z.infer<typeof ClaimRequestSchema>[] = [];
  const registrations: { publicKey: string; status: string }[] = [];
  const invalid: { path: string; issue: string }[] = [];
  const log = new MemoryLog();
  let registered: string | undefined;
  let keyRefusal: number | undefined;
  let published = PUBLISHED_KEYS;
  let loseAnswers = 0;

  const expire = () => {
    for (const r of jobs.values())
      if (r.state === "claimed" && Date.now() > r.leaseExpiresAt) {
        r.state = "expired";
        r.endedAt = Date.now();
      }
  };
  const timer = setInterval(expire, 200);

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const refuse = (status: number, code: string, message: string) => send(status, { error: { code, message } });
    if (req.method === "GET" && url.pathname === "/.well-known/walwarden/keys") return send(200, published);
    if (req.headers.authorization?.startsWith("Bearer ") !== true) return refuse(401, "unauthenticated", "no token");
    const text = await body(req);
    const parse = <T>(schema: z.ZodType<T>): T | undefined => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const r = schema.safeParse(json);
      if (r.success) return r.data;
      invalid.push({
        path: url.pathname,
        issue: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      });
      refuse(400, "bad-request", `invalid body for ${url.pathname}`);
      return undefined;
    };
    expire();
    try {
      if (url.pathname === "/v1/runner/key") return registerKey(parse(RunnerKeyRequestSchema), send, refuse);
      if (url.pathname === "/v1/runner/claim") {
        const b = parse(ClaimRequestSchema);
        if (!b) return;
        claims.push(b.kinds);
        claimBodies.push(b);
        const id = order.find((j) => jobs.get(j)!.state === "queued" && b.kinds.includes(jobs.get(j)!.job.kind));
        if (!id) return send(200, { job: null });
        const r = jobs.get(id)!;
        r.state = "claimed";
        r.leaseId = `ls_${randomBytes(6).toString("hex")}`;
        r.leaseExpiresAt = Date.now() + leaseSeconds * 1000;
        r.claimedAt = Date.now();
        r.attempts++;
        const lease = {
          attempt: r.attempts,
          leaseId: r.leaseId,
          leaseExpiresAt: new Date(r.leaseExpiresAt).toISOString(),
          runnerId: RUNNER_ID,
        };
        return send(200, {
          job:
            r.job.kind === "backup"
              ? { ...r.job, scheduleId: null, minLockDays: r.job.minLockDays ?? null, ...lease }
              : { ...r.job, ...lease },
        });
      }
      const m = /^\/v1\/runner\/jobs\/([^/]+)\/(heartbeat|complete|fail|drill|prune)$/.exec(url.pathname);
      if (!m) return refuse(404, "not-found", url.pathname);
      const r = jobs.get(decodeURIComponent(m[1]!));
      const schema = {
        heartbeat: HeartbeatRequestSchema,
        complete: CompleteRequestSchema,
        fail: FailRequestSchema,
        drill: DrillResultRequestSchema,
        prune: PruneReportRequestSchema,
      }[m[2] as "fail"];
      const b = parse(schema as z.ZodType<{ leaseId: string } & Record<string, unknown>>);
      if (!b) return;
      if (!r || r.leaseId !== b.leaseId) return refuse(409, "lease-lost", "not this job's lease");
      if (m[2] === "drill" && r.state === "drilled" && r.receipt) {
        // Idempotent per job and lease: the same receipt again gets the same answer (another is refused).
        const again = Buffer.from(canonicalBytes((b as z.infer<typeof DrillResultRequestSchema>).receipt));
        if (!again.equals(Buffer.from(canonicalBytes(r.receipt.envelope))))
          return refuse(409, "conflict", "another receipt for this lease");
        r.receipt.posts++;
        return send(200, drillAnswer(r));
      }
      if (m[2] === "prune" && r.state === "pruned" && r.prune) {
        // Idempotent per job and lease: the same report again gets the same answer (another is refused).
        if (JSON.stringify(b) !== JSON.stringify(r.prune.report))
          return refuse(409, "conflict", "another report for this lease");
        r.prune.posts++;
        return send(200, pruneAnswer(r.prune.report));
      }
      if (r.state !== "claimed") return refuse(409, "lease-lost", `the job is ${r.state}`);
      if (m[2] === "prune") {
        const report = b as PruneReportRequest;
        const job = r.job as Extract<QueuedJob, { kind: "prune" }>;
        const asked = job.targets.map((t) => t.backupId).sort();
        const told = report.results.map((x) => x.backupId).sort();
        if (JSON.stringify(asked) !== JSON.stringify(told))
          return refuse(422, "bad-request", "the report is not one result per target");
        r.state = "pruned";
        r.endedAt = Date.now();
        r.prune = { report, posts: 1 };
        return send(200, pruneAnswer(report));
      }
      if (m[2] === "heartbeat") {
        r.leaseExpiresAt = Date.now() + leaseSeconds * 1000;
        r.phases.push((b as z.infer<typeof HeartbeatRequestSchema>).progress.phase);
        r.bytes.push((b as z.infer<typeof HeartbeatRequestSchema>).progress.bytes);
        return send(200, { leaseExpiresAt: new Date(r.leaseExpiresAt).toISOString() });
      }
      if (m[2] === "fail") {
        const f = b as z.infer<typeof FailRequestSchema>;
        r.state = "failed";
        r.endedAt = Date.now();
        r.fail = { reason: f.reason, retryable: f.retryable };
        return send(200, { willRetry: false, attempt: 1 });
      }
      if (m[2] === "complete") return send(200, complete(r, b as z.infer<typeof CompleteRequestSchema>));
      const d = b as z.infer<typeof DrillResultRequestSchema>;
      if (!registered) return refuse(409, "conflict", "no runner key is registered");
      const job = r.job as Extract<QueuedJob, { kind: "drill" }>;
      const verified = verifyDrillReceipt(
        d.receipt,
        [{ name: `${DEPLOYMENT}/runner/${RUNNER_ID}`, publicKey: fromBase64(registered)! }],
        {
          artifactSha256: job.artifact.sha256,
          artifactUri: artifactUri(job.artifact.bucket, job.artifact.key),
          manifestSha256: job.manifestSha256,
          drillId: job.drillId,
          backupId: job.backupId,
          databaseId: job.databaseId,
          orgId: job.orgId,
        },
      );
      if (!verified.ok)
        return refuse(422, "bad-request", `the receipt does not verify: ${verified.code}: ${verified.message}`);
      r.state = "drilled";
      r.endedAt = Date.now();
      r.receipt = { envelope: d.receipt, verified: verified.value, posts: 1 };
      if (loseAnswers > 0) {
        loseAnswers--;
        return void res.socket?.destroy();
      }
      return send(200, drillAnswer(r));
    } catch (e) {
      refuse(500, "internal", (e as Error).message);
    }
  });

  function registerKey(
    b: z.infer<typeof RunnerKeyRequestSchema> | undefined,
    send: (s: number, b: unknown) => void,
    refuse: (s: number, c: string, m: string) => void,
  ) {
    if (!b) return;
    if (keyRefusal !== undefined)
      return refuse(keyRefusal, keyRefusal >= 500 ? "unavailable" : "bad-request", "key registration refused (test)");
    const pk = fromBase64(b.publicKey)!;
    if (!verify(fromBase64(b.proof)!, runnerKeyProofMessage(b.publicKey), pk))
      return refuse(400, "bad-request", "the proof does not verify");
    const status = registered === undefined ? "registered" : registered === b.publicKey ? "unchanged" : "rotated";
    registered = b.publicKey;
    registrations.push({ publicKey: b.publicKey, status });
    send(200, { runnerId: RUNNER_ID, orgId: ORG, vkey: formatVkey(`${DEPLOYMENT}/runner/${RUNNER_ID}`, pk), status });
  }

  function complete(r: JobRecord, b: z.infer<typeof CompleteRequestSchema>) {
    const job = r.job as Extract<QueuedJob, { kind: "backup" }>;
    const predicate: PgDumpPredicate = {
      ...b.result,
      backupId: job.backupId,
      orgId: ORG,
      databaseId: job.databaseId,
      jobId: job.jobId,
    };
    const envelope = signManifest(predicate, b.artifactSha256, MANIFEST_SIGNER);
    const manifestSha256 = toHex(sha256(canonicalBytes(envelope)));
    const seq = log.size;
    const bytes = log.append({
      v: 1,
      seq,
      type: "backup.completed",
      at: new Date().toISOString(),
      actor: `runner:${RUNNER_ID}`,
      subject: `database:${job.databaseId}`,
      data: {
        jobId: job.jobId,
        backupId: job.backupId,
        databaseId: job.databaseId,
        runnerId: RUNNER_ID,
        artifact: {
          uri: artifactUri(predicate.s3.bucket, predicate.s3.key),
          sha256: b.artifactSha256,
          sizeBytes: predicate.sizeBytes,
        },
        manifestSha256,
      },
    });
    const checkpoint = signCheckpoint(
      { origin: `${DEPLOYMENT}/log/${ORG}`, size: log.size, rootHash: log.root() },
      CHECKPOINT_SIGNER,
    );
    if (!checkpoint.ok) throw new Error(checkpoint.message);
    r.state = "completed";
    r.endedAt = Date.now();
    r.completed = { predicate, artifactSha256: b.artifactSha256, manifestSha256 };
    return {
      envelope,
      entry: new TextDecoder().decode(bytes),
      proof: { v: 1, leafIndex: seq, treeSize: log.size, hashes: log.inclusionProof(seq).map(toBase64) },
      checkpoint: checkpoint.value,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jobs,
    claims,
    claimBodies,
    registrations,
    invalid,
    runnerKey: () => registered,
    queue(job) {
      jobs.set(job.jobId, {
        job,
        state: "queued",
        leaseId: null,
        leaseExpiresAt: 0,
        claimedAt: null,
        endedAt: null,
        phases: [],
        bytes: [],
        attempts: 0,
      });
      order.push(job.jobId);
    },
    requeue(jobId) {
      const r = jobs.get(jobId)!;
      r.state = "queued";
      r.leaseId = null;
      r.endedAt = null;
    },
    refuseKeys: (status) => void (keyRefusal = status),
    publish: (keys) => void (published = keys),
    loseDrillAnswers: (n) => void (loseAnswers = n),
    stop: async () => {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Worker's answer to a prune report: backup.expired per deleted target, backup.expiry_blocked per kept one (but missing). */
function pruneAnswer(report: PruneReportRequest) {
  return {
    expired: report.results.filter((x) => x.outcome === "deleted").length,
    blocked: report.results.filter((x) => x.outcome !== "deleted" && x.outcome !== "missing").length,
  };
}

function drillAnswer(r: JobRecord) {
  const p = r.receipt!.verified.predicate;
  const type = p.outcome === "passed" ? "drill.completed" : "drill.failed";
  return {
    type,
    entry: JSON.stringify({
      type,
      drillId: p.drillId,
      receiptSha256: toHex(sha256(canonicalBytes(r.receipt!.envelope))),
    }),
  };
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (s += c));
    req.on("end", () => resolve(s));
  });
}
