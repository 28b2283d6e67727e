// A restore end to end, through real parts only: the Worker under wrangler dev (local D1 and Durable
// Objects), s3rver (SigV4 and presign expiry checked) behind a fault proxy, PostgreSQL 15, a backup made
// by the real runner, and the real `walwarden` program. Also the failure paths: a tampered object, a
// wrong pinned key, a replayed or misdirected token, a dropped download, and a pg_restore error.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { checkRestoreHistory, decodeEntry, formatVkey, generateKeyPair, type LogEntry } from "@walwarden/verifier";
import { apiCall, publishedKeys } from "@walwarden/testing/api";
import { startRecordingProxy, type RecordingProxy } from "@walwarden/testing/recording-proxy";
import { getObject } from "@walwarden/testing/runner-parts";
import { tableChecksums } from "@walwarden/testing/sample-data";
import { runCli, startRestoreParts, type RestoreParts } from "@walwarden/testing/restore-parts";

let parts: RestoreParts;
let keyArgs: string[];
let artifact: Buffer;

beforeAll(async () => {
  parts = await startRestoreParts();
  const keys = await publishedKeys(parts.dev);
  keyArgs = [...keys.checkpoint, ...keys.manifest].flatMap((k) => ["--key", k]);
  artifact = await getObject(parts, parts.artifactKey);
}, 300_000);
afterAll(async () => parts?.stop());

/** The CLI's arguments for a freshly issued restore into `target`. */
async function restoreArgs(target: string, extra: string[] = []) {
  const issued = await parts.issue();
  return {
    issued,
    args: [
      "restore",
      "--api",
      parts.dev.url,
      "--org",
      parts.orgId,
      "--token",
      issued.token,
      "--target",
      target,
      ...keyArgs,
      ...extra,
    ],
  };
}

/** The org's restore entries for one restore, from the log. */
async function restoreEntries(restoreId: string): Promise<LogEntry[]> {
  const page = await apiCall<{ entries: string[] }>(
    parts.dev,
    "GET",
    `/v1/log/entries?limit=1000&subject=restore:${restoreId}`,
    { cookie: parts.cookie },
  );
  return page.entries.map((t) => decodeEntry(new TextEncoder().encode(t))).flatMap((d) => (d.ok ? [d.value] : []));
}

/** User tables in a database (an untouched target has none). */
async function userTables(db: string): Promise<string[]> {
  const rows = await parts.pg.query<{ t: string }>(
    "SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    [],
    { db },
  );
  return rows.map((r) => r.t);
}

const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

describe("walwarden restore", () => {
  it("restores the backup into an empty database: every table matches the source, every transition is logged and streamed live", async () => {
    const target = await parts.target("restore_happy");
    const { issued, args } = await restoreArgs(target.url, ["--json"]);
    const events: { event: string; data: string }[] = [];
    const stream = await fetch(`${parts.dev.url}/v1/restores/${issued.restoreId}/events`, {
      headers: { cookie: parts.cookie },
    });
    const reading = (async () => {
      const text = await stream.text();
      for (const block of text.split("\n\n")) {
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data });
      }
    })();
    const r = await runCli(args);
    expect(r.code, output(r)).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ restoreId: issued.restoreId, backupId: parts.backupId });
    expect(await tableChecksums(parts.pg, target.db)).toEqual(await tableChecksums(parts.pg, "shop"));
    const entries = await restoreEntries(issued.restoreId);
    expect(entries.map((e) => e.type)).toEqual([
      "restore.token_issued",
      "restore.claimed",
      "restore.downloading",
      "restore.verifying",
      "restore.restoring",
      "restore.completed",
    ]);
    expect(entries[3]!.data).toMatchObject({ sha256: createHash("sha256").update(artifact).digest("hex") });
    expect(checkRestoreHistory(entries)).toEqual({ ok: true, value: "completed" });
    await reading;
    const transitions = events.filter((e) => e.event === "transition").map((e) => JSON.parse(e.data).state);
    expect(transitions).toEqual(["issued", "claimed", "downloading", "verifying", "restoring", "completed"]);
    expect(events.some((e) => e.event === "progress")).toBe(true);
    expect(output(r)).not.toContain(target.password);
  });

  it("the trust boundary: no request to the Worker carries the target's connection string, password or a dump byte; every dump byte came from S3", async () => {
    const worker: RecordingProxy = await startRecordingProxy({ target: parts.dev.url });
    const s3: RecordingProxy = await startRecordingProxy({ target: parts.s3.endpoint });
    try {
      await parts.presignFor(s3.url);
      const target = await parts.target("restore_boundary");
      const issued = await parts.issue();
      const r = await runCli([
        "restore",
        "--api",
        worker.url,
        "--org",
        parts.orgId,
        "--token",
        issued.token,
        "--target",
        target.url,
        ...keyArgs,
      ]);
      expect(r.code, output(r)).toBe(0);
      expect(await tableChecksums(parts.pg, target.db)).toEqual(await tableChecksums(parts.pg, "shop"));

      // Everything the CLI sent the Worker, headers and bodies.
      expect(worker.exchanges.length).toBeGreaterThanOrEqual(6);
      const sent = worker.exchanges
        .map((x) => `${x.method} ${x.path}\n${JSON.stringify(x.headers)}\n${x.body.toString("latin1")}`)
        .join("\n");
      for (const secret of [target.password, target.url, encodeURIComponent(target.password), `${target.user}:`])
        expect(sent).not.toContain(secret);
      // No 32 consecutive artifact bytes in any request body (any run of ≥ 63 bytes contains an aligned block).
      const blocks = new Set<string>();
      for (let i = 0; i + 32 <= artifact.length; i += 32) blocks.add(artifact.subarray(i, i + 32).toString("latin1"));
      for (const x of worker.exchanges)
        for (let i = 0; i + 32 <= x.body.length; i++)
          expect(
            blocks.has(x.body.subarray(i, i + 32).toString("latin1")),
            `${x.method} ${x.path} carries dump bytes`,
          ).toBe(false);
      expect(worker.exchanges.reduce((n, x) => n + x.body.length, 0)).toBeLessThan(artifact.length);

      // The dump's bytes: all from the bucket, in GETs of exactly the artifact's key.
      const gets = s3.exchanges.filter((x) => x.method === "GET");
      expect(gets.length).toBeGreaterThanOrEqual(1);
      for (const g of gets)
        expect(new URL(g.path, "http://x").pathname).toBe(`/${parts.s3.bucket}/${parts.artifactKey}`);
      expect(gets.reduce((n, g) => n + g.responseBytes, 0)).toBe(artifact.length);
      expect(s3.exchanges.every((x) => x.method === "GET")).toBe(true);
    } finally {
      await parts.presignFor(parts.proxy.endpoint);
      await worker.stop();
      await s3.stop();
    }
  });

  it("a connection dropped mid-download is resumed with a Range request and the restore completes", async () => {
    const target = await parts.target("restore_resume");
    const cut = Math.floor(artifact.length / 3);
    let dropped = 0;
    parts.setFaults((_req, info) => {
      if (info.op === "GetObject" && dropped === 0) {
        dropped++;
        return { action: "truncate", afterBytes: cut, then: "drop" };
      }
      return undefined;
    });
    try {
      const { args } = await restoreArgs(target.url);
      const r = await runCli(args);
      expect(r.code, output(r)).toBe(0);
    } finally {
      parts.setFaults(undefined);
    }
    expect(dropped).toBe(1);
    const gets = parts.proxy.requests.filter((q) => q.op === "GetObject");
    const resumed = gets.find((q) => typeof q.headers.range === "string");
    expect(resumed?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/bytes=(\d+)-/.exec(resumed!.headers.range as string)![1])).toBeGreaterThan(0);
    expect(await tableChecksums(parts.pg, target.db)).toEqual(await tableChecksums(parts.pg, "shop"));
  });

  it("a tampered object fails at verifying and the target is untouched", async () => {
    const target = await parts.target("restore_tampered");
    const tampered = Buffer.from(artifact);
    tampered[tampered.length >> 1]! ^= 0xff;
    await parts.s3Client.send(
      new PutObjectCommand({ Bucket: parts.s3.bucket, Key: parts.artifactKey, Body: tampered }),
    );
    try {
      const { issued, args } = await restoreArgs(target.url);
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expect(output(r)).toMatch(/sha-?256|digest|does not match/i);
      expect(await userTables(target.db)).toEqual([]);
      const entries = await restoreEntries(issued.restoreId);
      expect(entries.map((e) => e.type)).toEqual([
        "restore.token_issued",
        "restore.claimed",
        "restore.downloading",
        "restore.verifying",
        "restore.failed",
      ]);
      expect(entries.at(-1)!.data).toMatchObject({ stage: "verify" });
    } finally {
      await parts.s3Client.send(
        new PutObjectCommand({ Bucket: parts.s3.bucket, Key: parts.artifactKey, Body: artifact }),
      );
    }
  });

  it("a wrong pinned key fails verification and the target is untouched", async () => {
    const target = await parts.target("restore_wrong_key");
    const keys = await publishedKeys(parts.dev);
    const impostor = formatVkey(keys.manifest[0]!.split("+")[0]!, generateKeyPair().publicKey);
    const issued = await parts.issue();
    const r = await runCli([
      "restore",
      "--api",
      parts.dev.url,
      "--org",
      parts.orgId,
      "--token",
      issued.token,
      "--target",
      target.url,
      ...keys.checkpoint.flatMap((k) => ["--key", k]),
      "--key",
      impostor,
    ]);
    expect(r.code).toBe(1);
    expect(output(r)).toMatch(/signature|pinned key|not verified/i);
    expect(await userTables(target.db)).toEqual([]);
    expect((await restoreEntries(issued.restoreId)).at(-1)).toMatchObject({
      type: "restore.failed",
      data: { stage: "verify" },
    });
  });

  it("a replayed token and a token for another org are refused with a clear message and logged; the target is untouched", async () => {
    const first = await parts.target("restore_replay_a");
    const { issued, args } = await restoreArgs(first.url, ["--dry-run"]);
    expect((await runCli(args)).code).toBe(0);
    const second = await parts.target("restore_replay_b");
    const replay = await runCli(args.map((a) => (a === first.url ? second.url : a)));
    expect(replay.code).toBe(1);
    expect(output(replay)).toMatch(/already used/i);
    const fresh = await parts.issue();
    const wrongOrg = await runCli([
      "restore",
      "--api",
      parts.dev.url,
      "--org",
      "org_00000000000000000000000000",
      "--token",
      fresh.token,
      "--target",
      second.url,
      ...keyArgs,
    ]);
    expect(wrongOrg.code).toBe(1);
    expect(output(wrongOrg)).toMatch(/another organi[sz]ation/i);
    expect(await userTables(second.db)).toEqual([]);
    const rejected = [...(await restoreEntries(issued.restoreId)), ...(await restoreEntries(fresh.restoreId))].filter(
      (e) => e.type === "restore.claim_rejected",
    );
    expect(rejected.map((e) => (e.data as { reason: string }).reason).sort()).toEqual(["already-claimed", "wrong-org"]);
  });

  it("a pg_restore error fails the restore with pg_restore's message", async () => {
    const target = await parts.target("restore_denied", { owner: false });
    const { issued, args } = await restoreArgs(target.url);
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(output(r)).toMatch(/permission denied/i);
    expect(output(r)).not.toContain(target.password);
    const failed = (await restoreEntries(issued.restoreId)).at(-1)!;
    expect(failed).toMatchObject({ type: "restore.failed", data: { stage: "restore" } });
    expect((failed.data as { reason: string }).reason).toMatch(/permission denied/i);
  });
});
