// External witnesses in real workerd (verifier/SPEC.md §13): the routes (an admin adds, changes and removes
// them, each change logged with the URL only as its SHA-256; bodies checked with the wire's schemas; refusals
// change nothing; roles; another org's witness is not found), and the tick's push against a witness answered by
// the fetch the step is given (this Worker's own outbound fetches are answered 503 here: worker/e2e/ pushes to a
// real tlog-witness server): add-checkpoint from the cosigned size, the 409 resync, a 422, a cosignature that
// does not verify, statuses and unreachable witnesses recorded without the URL, the backoff, the per-tick
// bound, and an append that does not wait for a witness that hangs.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  cosignCheckpoint,
  decodeEntry,
  formatCosignerVkey,
  fromBase64,
  type NoteSigner,
  parseCosignerVkey,
  parseSignedNote,
  publicKeyOf,
  utf8,
  verifyCosignatures,
  type WitnessState,
  witnessStep,
} from "@walwarden/verifier";
import { WitnessListSchema, WitnessSchema } from "@walwarden/verifier/wire";
import { CountingD1 } from "../src/lib/d1-counter.js";
import { sha256Hex } from "../src/lib/crypto.js";
import { pushDueWitnesses, type WitnessStepDeps } from "../src/witness/external-tick.js";
import { call, makeOrg, type Org } from "./support/client.js";
import { DEPLOYMENT, withRunnerKey } from "./support/drill-calls.js";
import { logEntries, publishedPolicy } from "./support/log-checks.js";
import { dumpD1, dumpLedger, settleLogs } from "./support/storage-dump.js";

const signerOf = (name: string, seed: number): NoteSigner => ({ name, secretKey: new Uint8Array(32).fill(seed) });
const vkeyOf = (s: NoteSigner) => formatCosignerVkey(s.name, publicKeyOf(s.secretKey));
const pathOf = (name: string) => `/v1/witnesses/${encodeURIComponent(name)}`;
const put = (org: Org, name: string, json: unknown, token = org.adminToken) =>
  call("PUT", pathOf(name), { token, json });
const list = async (org: Org) =>
  WitnessListSchema.parse((await call("GET", "/v1/witnesses", { token: org.viewerToken })).body).items;
const dumpStorage = async (orgId: string) => JSON.stringify({ d1: await dumpD1(), ledger: await dumpLedger(orgId) });
const grow = (org: Org) =>
  call("POST", "/v1/databases", { token: org.adminToken, json: { name: `db ${Math.random()}`, provider: "neon" } });

/** The org's witness.* admin entries. */
async function witnessLog(org: Org) {
  return (await logEntries(org.adminToken))
    .map((t) => decodeEntry(utf8(t)))
    .flatMap((e) =>
      e.ok && (e.value.type === "witness.added" || e.value.type === "witness.removed") ? [e.value] : [],
    );
}

/** A tick's witness step now (after D1's copy of the logs caught up), with `fetch` as the network. */
async function tick(fetch: WitnessStepDeps["fetch"], now = Date.now(), deps: Partial<WitnessStepDeps> = {}) {
  await settleLogs();
  return pushDueWitnesses(env, new CountingD1(env.DB), now, { fetch, ...deps });
}

/**
 * A tlog-witness answering add-checkpoint through a fetch function: the witness step of the verifier
 * (signature, rollback, fork, proof) with C2SP's statuses (409 with its size, 422 for a proof that does not
 * verify, 403), cosigning with `signer`. `answer` replaces it for a test that wants another reply.
 */
class FetchWitness {
  state: WitnessState | null = null;
  readonly seen: { url: string; old: string; proofLines: number; status: number }[] = [];
  answer: ((body: string) => Response | Promise<Response>) | undefined;

  constructor(
    readonly signer: NoteSigner,
    readonly logKeys: Awaited<ReturnType<typeof publishedPolicy>>["checkpointKeys"],
    readonly origin: string,
  ) {}

  fetch: WitnessStepDeps["fetch"] = async (input, init) => {
    const body = String(init?.body);
    const res = this.answer ? await this.answer(body) : this.respond(body);
    const [head = ""] = body.split("\n\n");
    const [oldLine = "", ...proof] = head.split("\n");
    this.seen.push({ url: String(input), old: oldLine.slice(4), proofLines: proof.length, status: res.status });
    return res;
  };

  private respond(body: string): Response {
    const blank = body.indexOf("\n\n");
    const [oldLine = "", ...proofLines] = body.slice(0, blank).split("\n");
    const note = body.slice(blank + 2);
    const old = BigInt(oldLine.slice(4));
    const mine = this.state?.size ?? 0n;
    if (old !== mine)
      return new Response(`${mine}\n`, { status: 409, headers: { "content-type": "text/x.tlog.size" } });
    const step = witnessStep(
      this.state,
      note,
      this.logKeys,
      this.origin,
      proofLines.map((l) => fromBase64(l)!),
    );
    if (!step.ok) {
      const status = step.code === "inconsistent" ? 422 : step.code === "fork" ? 409 : 403;
      return new Response(`${step.message}\n`, { status });
    }
    this.state = step.value.next;
    const parsed = parseSignedNote(note);
    if (!parsed.ok) return new Response("bad\n", { status: 400 });
    const line = cosignCheckpoint(parsed.value.text, this.signer, 1_765_000_000);
    return new Response(line.ok ? line.value : "", { status: line.ok ? 200 : 500 });
  }
}

/** An org with one witness at `url`, and that witness answering through a fetch. */
async function witnessedOrg(url = "https://witness.example.com/w") {
  // The tick pushes to every org's witnesses: only this test's are left (the file's tests share D1).
  await env.DB.prepare("DELETE FROM witnesses").run();
  const org = await makeOrg();
  const signer = signerOf("witness.example.com/w1", 0x31);
  expect((await put(org, signer.name, { url, vkey: vkeyOf(signer) })).status).toBe(201);
  const policy = await publishedPolicy();
  const w = new FetchWitness(signer, policy.checkpointKeys, `${DEPLOYMENT}/log/${org.orgId}`);
  return { org, signer, witness: w, key: parseCosignerVkey(vkeyOf(signer)) };
}

describe("the witness routes", () => {
  it("an admin adds a witness, sees it with its lag, changes it and removes it; each change logged once, the URL only as its SHA-256", async () => {
    const org = await makeOrg();
    const signer = signerOf("witness.example.com/w1", 0x21);
    const url = "https://witness.example.com/submit/";
    const added = await put(org, signer.name, { url, vkey: vkeyOf(signer) });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const w = WitnessSchema.parse(added.body);
    expect(w).toMatchObject({
      name: signer.name,
      url,
      vkey: vkeyOf(signer),
      cosignedSize: 0,
      cosignedAt: null,
      cosignatureAgeSeconds: null,
      failures: 0,
      lastError: null,
      retryAfter: null,
    });
    expect(w.headSize).toBeGreaterThan(0);
    // Nothing cosigned yet: the whole log waits, since its first entry.
    expect(w.waitingSince).not.toBeNull();
    expect(await list(org)).toEqual([{ ...w, lagSeconds: expect.any(Number), cosignatureAgeSeconds: null }]);

    const [entry] = await witnessLog(org);
    expect(entry).toMatchObject({
      type: "witness.added",
      subject: `witness:${w.id}`,
      actor: expect.stringMatching(/^token:/),
      data: {
        witnessId: w.id,
        name: signer.name,
        vkey: vkeyOf(signer),
        urlSha256: await sha256Hex(url),
        replaced: false,
      },
    });
    expect((await logEntries(org.adminToken)).join("\n")).not.toContain("witness.example.com/submit");

    // The same again: 200, nothing logged. Another URL: replaced, logged, its state kept.
    expect((await put(org, signer.name, { url, vkey: vkeyOf(signer) })).status).toBe(200);
    expect(await witnessLog(org)).toHaveLength(1);
    const moved = await put(org, signer.name, { url: "https://witness.example.net/", vkey: vkeyOf(signer) });
    expect(moved.status).toBe(200);
    expect(WitnessSchema.parse(moved.body)).toMatchObject({ id: w.id, url: "https://witness.example.net/" });
    expect((await witnessLog(org)).map((e) => [e.type, "replaced" in e.data ? e.data.replaced : null])).toEqual([
      ["witness.added", false],
      ["witness.added", true],
    ]);

    const removed = await call("DELETE", pathOf(signer.name), { token: org.adminToken });
    expect(removed.status).toBe(204);
    expect(await list(org)).toEqual([]);
    expect((await witnessLog(org)).at(-1)).toMatchObject({
      type: "witness.removed",
      subject: `witness:${w.id}`,
      data: { witnessId: w.id, name: signer.name, vkey: vkeyOf(signer) },
    });
    expect((await call("DELETE", pathOf(signer.name), { token: org.adminToken })).status).toBe(404);
  });

  it("refuses bodies and names the wire and the URL rules refuse, and a refusal changes and logs nothing", async () => {
    const org = await makeOrg();
    const signer = signerOf("witness.example.com/w1", 0x22);
    const vkey = vkeyOf(signer);
    const url = "https://witness.example.com/";
    const before = await dumpStorage(org.orgId);
    const refusals: [string, unknown, RegExp][] = [
      [
        signer.name,
        { url, vkey: vkeyOf(signerOf("witness.example.com/other", 0x22)) },
        /^invalid body: vkey: its key name/,
      ],
      // A note vkey (type 0x01), not a cosigner's.
      [
        signer.name,
        { url, vkey: "test.walwarden.dev/checkpoint+538f1e7e+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c" },
        /vkey: not a cosigner vkey/,
      ],
      [signer.name, { url, vkey: `${vkey}x` }, /vkey: not a cosigner vkey/],
      [
        signer.name,
        { url: "http://witness.example.com/", vkey },
        /url: http:\/\/witness\.example\.com is refused: only https/,
      ],
      [signer.name, { url: "https://127.0.0.1:8443/", vkey }, /url: .* loopback/],
      [signer.name, { url: "https://10.1.2.3/", vkey }, /url: .* private network/],
      [signer.name, { url: "https://user:pw@witness.example.com/", vkey }, /url: .* user name or password/],
      [
        signer.name,
        { url: "https://witness.example.com/w?key=s3cr3t", vkey },
        /url: https:\/\/witness\.example\.com is refused: a submission prefix has no query$/,
      ],
      [signer.name, { url: "https://witness.example.com/w#frag", vkey }, /no fragment/],
      [signer.name, { url: "https://witness.example.com/", vkey, extra: 1 }, /invalid body/],
      [signer.name, { url: "https://witness.example.com/" }, /vkey/],
      ["a+b", { url, vkey }, /path parameter name: \(root\): not a key name/],
      ["two words", { url, vkey }, /path parameter name/],
    ];
    for (const [name, json, message] of refusals) {
      const r = await put(org, name, json);
      expect(r.status, `${name} ${JSON.stringify(json)}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error.message).toMatch(message);
      expect(JSON.stringify(r.body)).not.toContain("s3cr3t");
    }
    // A runner's name is the runners': they witness without configuration.
    const runnerName = `${DEPLOYMENT}/runner/${org.runnerId}`;
    const asRunner = await put(org, runnerName, { url, vkey: vkeyOf(signerOf(runnerName, 0x22)) });
    expect(asRunner.status).toBe(400);
    expect(asRunner.body.error.message).toMatch(/a runner's/);
    expect(await dumpStorage(org.orgId)).toBe(before);

    // At most eight: the ninth is a 409 that logs nothing.
    for (let i = 0; i < 8; i++) {
      const s = signerOf(`witness.example.com/w${i}`, 0x40 + i);
      expect((await put(org, s.name, { url, vkey: vkeyOf(s) })).status).toBe(201);
    }
    const full = await dumpStorage(org.orgId);
    const ninth = signerOf("witness.example.com/w9", 0x50);
    const r = await put(org, ninth.name, { url, vkey: vkeyOf(ninth) });
    expect(r.status).toBe(409);
    expect(await dumpStorage(org.orgId)).toBe(full);
  });

  it("viewers read, operators and viewers change nothing, and another org's witness is not found", async () => {
    const org = await makeOrg();
    const other = await makeOrg();
    const signer = signerOf("witness.example.com/w1", 0x23);
    const body = { url: "https://witness.example.com/", vkey: vkeyOf(signer) };
    expect((await put(org, signer.name, body, org.operatorToken)).status).toBe(403);
    expect((await put(org, signer.name, body, org.viewerToken)).status).toBe(403);
    expect((await put(org, signer.name, body, org.runnerToken)).status).toBe(401);
    expect((await call("GET", "/v1/witnesses")).status).toBe(401);
    expect(await list(org)).toEqual([]);
    expect((await put(org, signer.name, body)).status).toBe(201);
    expect((await call("DELETE", pathOf(signer.name), { token: org.operatorToken })).status).toBe(403);

    // The other org sees none of it, cannot remove it, and may have a witness of the same name of its own.
    expect(await list(other)).toEqual([]);
    expect((await call("DELETE", pathOf(signer.name), { token: other.adminToken })).status).toBe(404);
    expect(await list(org)).toHaveLength(1);
    expect((await put(other, signer.name, { ...body, url: "https://other.example.com/" })).status).toBe(201);
    expect((await list(org))[0]!.url).toBe("https://witness.example.com/");
    expect((await list(other))[0]!.url).toBe("https://other.example.com/");
  });
});

describe("the tick's push to external witnesses", () => {
  it("sends add-checkpoint from the size cosigned, keeps the verified line, and the checkpoint carries it", async () => {
    const { org, witness, key } = await witnessedOrg("https://witness.example.com/w/");
    if (!key.ok) throw new Error(key.message);
    const first = await tick(witness.fetch);
    expect(first).toMatchObject({ due: 1, cosigned: 1, failed: 0 });
    expect(witness.seen).toEqual([
      { url: "https://witness.example.com/w/add-checkpoint", old: "0", proofLines: 0, status: 200 },
    ]);
    const head = await call("GET", "/v1/log/checkpoint", { token: org.viewerToken });
    expect(verifyCosignatures(head.body.checkpoint, [key.value], 1)).toMatchObject({ ok: true });
    const [w] = await list(org);
    expect(w).toMatchObject({
      cosignedSize: head.body.treeSize,
      headSize: head.body.treeSize,
      lagSeconds: 0,
      waitingSince: null,
    });
    // Up to date: the next tick has nothing to push.
    expect(await tick(witness.fetch)).toMatchObject({ due: 0 });

    // The log grows (the runner registers its key) and the runner cosigns the new head before the tick: the
    // push is from the size the witness cosigned, with the proof, and shows it the log's own line only.
    const runner = await withRunnerKey(org);
    const claimed = await call("POST", "/v1/runner/claim", {
      token: org.runnerToken,
      json: { version: "0.1.0", databases: [], kinds: ["backup"], witness: { size: "0" } },
    });
    const view = claimed.body.witness as { checkpoint: string };
    const body = parseSignedNote(view.checkpoint);
    if (!body.ok) throw new Error(body.message);
    const runnerLine = cosignCheckpoint(body.value.text, runner, 1_765_000_000);
    if (!runnerLine.ok) throw new Error(runnerLine.message);
    const size = body.value.text.split("\n")[1]!;
    expect(
      (
        await call("POST", "/v1/runner/witness", {
          token: org.runnerToken,
          json: { size, cosignature: runnerLine.value },
        })
      ).status,
    ).toBe(200);
    const runnerCosigned = await call("GET", "/v1/log/checkpoint", { token: org.viewerToken });
    expect(runnerCosigned.body.checkpoint).toContain(runnerLine.value);
    let sent = "";
    const plain = witness.fetch;
    const spy: WitnessStepDeps["fetch"] = (input, init) => {
      sent = String(init?.body);
      return plain(input, init);
    };
    expect(await tick(spy)).toMatchObject({ due: 1, cosigned: 1 });
    expect(witness.seen.at(-1)).toMatchObject({ old: String(head.body.treeSize), status: 200 });
    expect(witness.seen.at(-1)!.proofLines).toBeGreaterThan(0);
    const note = sent.slice(sent.indexOf("\n\n") + 2);
    expect(note).toBe(runnerCosigned.body.checkpoint.replace(runnerLine.value, ""));
    expect(note).not.toContain(runnerLine.value);
    // Served after: the log's line, the runner's and the witness's.
    const both = await call("GET", `/v1/log/checkpoints/${size}`, { token: org.viewerToken });
    expect(String(both.body).match(/^\u2014 /gm)).toHaveLength(3);
    expect(verifyCosignatures(String(both.body), [key.value], 1)).toMatchObject({ ok: true });
  });

  it("a 409 with the witness's size resyncs once from it; a 422 is recorded and backs off; nothing unverified is kept", async () => {
    const { org, witness, key } = await witnessedOrg();
    if (!key.ok) throw new Error(key.message);
    await tick(witness.fetch);
    const older = witness.state!;
    await grow(org);
    await tick(witness.fetch);
    // Restarted with the older state: 409 (its size), then the proof from that size.
    witness.state = older;
    await grow(org);
    const resync = await tick(witness.fetch);
    expect(resync).toMatchObject({ due: 1, cosigned: 1, resynced: 1 });
    expect(witness.seen.slice(-2).map((s) => [s.old, s.status])).toEqual([
      [expect.any(String), 409],
      [String(older.size), 200],
    ]);

    // Another history at that size: 409, then 422 from the proof; recorded, nothing kept, and it backs off.
    witness.state = { ...older, rootHash: new Uint8Array(32).fill(9) };
    await grow(org);
    const now = Date.now();
    expect(await tick(witness.fetch, now)).toMatchObject({ due: 1, failed: 1 });
    expect(witness.seen.at(-1)!.status).toBe(422);
    const [w] = await list(org);
    expect(w!.lastError).toBe(
      `HTTP 422 Unprocessable Entity: the witness found the consistency proof from size ${older.size} does not verify`,
    );
    expect(w).toMatchObject({ failures: 1, retryAfter: new Date(now + 60_000).toISOString() });
    expect(w!.cosignedSize).toBeLessThan(w!.headSize);
    const head = await call("GET", "/v1/log/checkpoint", { token: org.viewerToken });
    expect(verifyCosignatures(head.body.checkpoint, [key.value], 1)).toMatchObject({ ok: false });
    expect(await tick(witness.fetch, now + 30_000)).toMatchObject({ due: 0 });
    expect(await tick(witness.fetch, now + 61_000)).toMatchObject({ due: 1, failed: 1 });
    expect((await list(org))[0]).toMatchObject({
      failures: 2,
      retryAfter: new Date(now + 61_000 + 120_000).toISOString(),
    });

    // A 200 whose line is another key's under the witness's name: refused, nothing kept.
    witness.answer = (body) => {
      const note = body.slice(body.indexOf("\n\n") + 2);
      const parsed = parseSignedNote(note);
      const line = parsed.ok ? cosignCheckpoint(parsed.value.text, signerOf(witness.signer.name, 0x77), 1) : undefined;
      return new Response(line?.ok ? line.value : "", { status: 200 });
    };
    expect(await tick(witness.fetch, now + 10 * 60_000)).toMatchObject({ failed: 1 });
    expect((await list(org))[0]!.lastError).toMatch(/^HTTP 200 without a valid cosignature of the pinned key: /);
    const after = await call("GET", "/v1/log/checkpoint", { token: org.viewerToken });
    expect(after.body.checkpoint).toBe(head.body.checkpoint);
  });

  it("records refusals, redirects, bad answers and unreachable witnesses in fixed words, never the URL, and never throws into the tick", async () => {
    const url = "https://witness.example.com/s3cr3t-path";
    const { org, witness } = await witnessedOrg(url);
    const cases: [() => Response | Promise<Response>, RegExp][] = [
      [() => new Response("no", { status: 403 }), /^HTTP 403 Forbidden: no key the witness trusts/],
      [
        () => new Response("no", { status: 404 }),
        /^HTTP 404 Not Found: the witness does not know this log's origin test\.walwarden\.dev\/log\//,
      ],
      [() => new Response("no", { status: 400 }), /^HTTP 400 Bad Request/],
      [() => new Response("oops", { status: 503 }), /^HTTP 503: the witness did not cosign$/],
      [
        () => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } }),
        /^HTTP 302: the witness redirected/,
      ],
      [() => new Response("12\n", { status: 409 }), /^HTTP 409 Conflict without a text\/x\.tlog\.size body/],
      [
        () => new Response("99999\n", { status: 409, headers: { "content-type": "text/x.tlog.size" } }),
        /^HTTP 409 Conflict: the witness is at size 99999, beyond this log's/,
      ],
      [
        () => new Response("0\n", { status: 409, headers: { "content-type": "text/x.tlog.size" } }),
        /^HTTP 409 Conflict: the witness holds another checkpoint of size 0, the size sent$/,
      ],
      [
        () => new Response("not a signature\n", { status: 200 }),
        /^HTTP 200 with an answer that is not note signature lines$/,
      ],
      [() => new Response("", { status: 200 }), /^HTTP 200 with an answer that is not note signature lines$/],
      [() => Promise.reject(new TypeError(`fetch failed: ${url}`)), /^the request failed \(TypeError\)$/],
    ];
    let at = Date.now();
    for (const [answer, expected] of cases) {
      witness.answer = answer;
      at += 2 * 3_600_000; // past any backoff
      expect(await tick(witness.fetch, at)).toMatchObject({ due: 1, failed: 1 });
      const [w] = await list(org);
      expect(w!.lastError).toMatch(expected);
      expect(w!.lastError).not.toContain("s3cr3t");
      expect(w!.cosignedSize).toBe(0);
    }
    // No answer within the timeout.
    witness.answer = undefined;
    const hanging: WitnessStepDeps["fetch"] = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    expect(await tick(hanging, (at += 2 * 3_600_000), { timeoutMs: 50 })).toMatchObject({ failed: 1 });
    expect((await list(org))[0]!.lastError).toBe("no answer within 0.1 s");
    // Back: caught up, failures and error cleared.
    expect(await tick(witness.fetch, (at += 2 * 3_600_000))).toMatchObject({ cosigned: 1 });
    expect((await list(org))[0]).toMatchObject({ failures: 0, lastError: null, lagSeconds: 0 });
  });

  it("an append is answered while a push hangs; a tick pushes to at most 16 witnesses and none after its budget", async () => {
    const { org } = await witnessedOrg();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let reached = false;
    const hanging: WitnessStepDeps["fetch"] = async () => {
      reached = true;
      await held;
      return new Response("", { status: 503 });
    };
    const pushing = tick(hanging);
    while (!reached) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    const appended = await grow(org);
    expect(appended.status).toBe(201);
    expect(Date.now() - t0).toBeLessThan(2000);
    release();
    expect(await pushing).toMatchObject({ due: 1, failed: 1 });

    // 3 orgs × 6 witnesses behind their logs: 16 a tick, the others deferred to later ticks by the query.
    const orgs = [await makeOrg(), await makeOrg(), await makeOrg()];
    for (const [i, o] of orgs.entries())
      for (let j = 0; j < 6; j++) {
        const s = signerOf(`witness.example.com/b${j}`, 0x60 + i * 8 + j);
        expect((await put(o, s.name, { url: "https://witness.example.com/", vkey: vkeyOf(s) })).status).toBe(201);
      }
    const refusing: WitnessStepDeps["fetch"] = async () => new Response("", { status: 503 });
    const later = Date.now() + 4 * 3_600_000;
    const bounded = await tick(refusing, later);
    expect(bounded.due).toBe(16);
    expect(bounded.failed).toBe(16);
    // A spent budget starts no push: they are counted as deferred, and stay due.
    const spent = await tick(refusing, later + 4 * 3_600_000, { budgetMs: -1 });
    expect(spent).toMatchObject({ due: 16, deferred: 16, failed: 0 });
  });
});
