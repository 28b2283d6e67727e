import {
  type AssertionExpect,
  artifactUri,
  type DrillPredicate,
  type DsseEnvelope,
  type NamedSigner,
  runnerKeyName,
  runnerKeyProofMessage,
  sign,
  signDrillReceipt,
  toBase64,
} from "@walwarden/verifier";
import { sampleDrillPredicate, testSigner } from "@walwarden/verifier/testing";
import type { ClaimedDrillJob } from "@walwarden/verifier/wire";
import { call, type Answer, type Org } from "./client.js";
import { completedBackup } from "./runner-calls.js";

// The calls drill tests are written with: a runner's own key and its registration, drill policies, "drill
// now", a runner claiming drills, and receipts signed as a runner signs them (verifier/SPEC.md §11).

/** The test deployment's key-name prefix (vitest.config.ts names its keys test.walwarden.dev/…). */
export const DEPLOYMENT = "test.walwarden.dev";

/** A runner's own key, named as the Worker names that runner's key; `seed` makes another key of the same runner. */
export const runnerSigner = (runnerId: string, seed = 5): NamedSigner =>
  testSigner(runnerKeyName(DEPLOYMENT, runnerId), seed);

/** The body of POST /v1/runner/key for a key, with its proof of possession (or a proof by `prover`). */
export function keyBody(signer: NamedSigner, prover: NamedSigner = signer) {
  const publicKey = toBase64(signer.publicKey);
  return { publicKey, proof: toBase64(sign(runnerKeyProofMessage(publicKey), prover.secretKey)) };
}

/** POST /v1/runner/key with a runner token. */
export const registerKey = (token: string, json: unknown) => call("POST", "/v1/runner/key", { token, json });

/** Setup steps throw (instead of asserting), so a broken step is reported as what it was. */
export function expectStatus(a: Answer, status: number, what: string): Answer {
  if (a.status !== status) throw new Error(`${what}: expected ${status}, got ${a.status} ${JSON.stringify(a.body)}`);
  return a;
}

/** Registers the org runner's key (seed 5 by default): the signer it signs receipts with. */
export async function withRunnerKey(org: Org, seed = 5): Promise<NamedSigner> {
  const signer = runnerSigner(org.runnerId, seed);
  expectStatus(await registerKey(org.runnerToken, keyBody(signer)), 200, "register the runner key");
  return signer;
}

/** PUT /v1/databases/:id/drill-policy as the org's admin. */
export const putPolicy = (org: Org, json: unknown, databaseId = org.databaseId) =>
  call("PUT", `/v1/databases/${databaseId}/drill-policy`, { token: org.adminToken, json });

/** POST /v1/databases/:id/drills (drill now) as the org's operator. */
export const drillNow = (org: Org, json: unknown = {}, databaseId = org.databaseId) =>
  call("POST", `/v1/databases/${databaseId}/drills`, { token: org.operatorToken, json });

/** POST /v1/runner/claim asking for drills only. */
export const claimDrill = (token: string, databases: string[]) =>
  call("POST", "/v1/runner/claim", { token, json: { version: "0.1.0", databases, kinds: ["drill"] } });

/** POST /v1/runner/jobs/:jobId/drill. */
export const sendReceipt = (token: string, jobId: string, leaseId: string, receipt: DsseEnvelope) =>
  call("POST", `/v1/runner/jobs/${jobId}/drill`, { token, json: { leaseId, receipt } });

/** A value in PostgreSQL's text output that meets an expectation. */
function passingActual(e: AssertionExpect): string {
  const { op, value } = e;
  if (typeof value === "boolean") return (op === "eq") === value ? "t" : "f";
  if (typeof value === "string") return op === "eq" ? value : `${value}, not`;
  if (op === "eq" || op === "le" || op === "ge") return String(value);
  return String(op === "lt" ? value - 1 : value + 1);
}

/**
 * The predicate of a passed drill of a claimed job, as an honest runner measures it (the sample's numbers
 * with the job's ids, artifact, manifest and assertions), with fields overridden.
 */
export function drillPredicate(job: ClaimedDrillJob, over: Partial<DrillPredicate> = {}): DrillPredicate {
  return sampleDrillPredicate({
    drillId: job.drillId,
    orgId: job.orgId,
    databaseId: job.databaseId,
    backupId: job.backupId,
    jobId: job.jobId,
    manifestSha256: job.manifestSha256,
    downloadedSha256: job.artifact.sha256,
    target: { kind: job.target, serverVersion: "16.4" },
    assertions: job.assertions.map((a) => ({ ...a, actual: passingActual(a.expect), passed: true, error: null })),
    rto: { ms: 6730, targetMs: job.maxRtoSeconds === null ? null : job.maxRtoSeconds * 1000 },
    runner: { id: job.runnerId, version: "0.1.0" },
    ...over,
  });
}

/** A failed drill's predicate: a table restored short, and the failure recorded. */
export const failedPredicate = (job: ClaimedDrillJob, reason = "1 of 2 tables differ from the manifest") =>
  drillPredicate(job, {
    outcome: "failed",
    failure: { phase: "checks", reason },
    tables: [
      { schema: "public", name: "orders", expectedRows: 1200, actualRows: 1100 },
      { schema: "public", name: "customers", expectedRows: 80, actualRows: 80 },
    ],
  });

/** A receipt of a claimed drill signed by `signer` (the runner's registered key, for an honest runner). */
export const receiptOf = (job: ClaimedDrillJob, signer: NamedSigner, predicate = drillPredicate(job)) =>
  signDrillReceipt(
    predicate,
    { uri: artifactUri(job.artifact.bucket, job.artifact.key), sha256: job.artifact.sha256 },
    signer,
  );

/** Everything a drill needs: a completed backup of the org's database, and the runner's key registered. */
export async function drillReady(
  org: Org,
  databaseId = org.databaseId,
): Promise<{ signer: NamedSigner; backupId: string }> {
  const backup = await completedBackup(org, databaseId);
  return { signer: await withRunnerKey(org), backupId: backup.backupId };
}

/** Queues a manual drill and claims it with the org's runner (its key registered): a drill under a live lease. */
export async function leasedDrill(org: Org, databaseId = org.databaseId): Promise<ClaimedDrillJob> {
  const drill = expectStatus(await drillNow(org, {}, databaseId), 202, "drill now").body;
  const job = expectStatus(await claimDrill(org.runnerToken, [databaseId]), 200, "claim a drill").body.job;
  if (job?.drillId !== drill.id) throw new Error(`claim: expected drill ${drill.id}, got ${JSON.stringify(job)}`);
  return job as ClaimedDrillJob;
}
