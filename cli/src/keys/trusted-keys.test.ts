// Key pinning against a real HTTP server on loopback that serves a keys document (as the Worker's
// /.well-known/walwarden/keys does): trust on first use, a changed key refused, --key overriding, and
// the `walwarden keys` command that shows, pins and forgets.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatVkey } from "@walwarden/verifier";
import type { PublishedKeys } from "@walwarden/verifier/wire";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { publishedKeysOf, signer } from "../../test/support/kit.js";
import { main } from "../bin/walwarden.js";
import { bufferIo } from "../io.js";
import { trustedKeys } from "./trusted-keys.js";

let server: Server;
let api: string;
let doc: unknown;
let status = 200;
let served = 0;
const original = publishedKeysOf();
const rotated = signer("walwarden.test/manifest", 42);
const rotatedVkey = formatVkey(rotated.name, rotated.publicKey);

beforeAll(async () => {
  server = createServer((req, res) => {
    served++;
    if (req.url !== "/.well-known/walwarden/keys") return void res.writeHead(404).end();
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(doc));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  doc = original;
  status = 200;
  served = 0;
});

const freshDir = () => mkdtempSync(join(tmpdir(), "ww-cli-keys-"));

describe("trustedKeys", () => {
  it("pins the published keys on first use, with a notice that names them, then uses the pinned ones", async () => {
    const dir = freshDir();
    const first = await trustedKeys(api, [], dir, fetch);
    expect(first).toMatchObject({
      ok: true,
      value: {
        source: "first-use",
        origin: "walwarden.test/log",
        vkeys: [...original.checkpoint, ...original.manifest],
      },
    });
    expect(first.ok && first.value.notice).toContain(`First use of ${api}: pinned its published keys`);
    expect(first.ok && first.value.notice).toContain(`manifest   ${original.manifest[0]}`);
    const file = JSON.parse(readFileSync(join(dir, "keys.json"), "utf8"));
    expect(file).toMatchObject({ v: 1, apis: { [api]: { ...original, pinnedAt: expect.any(String) } } });

    const again = await trustedKeys(api, [], dir, fetch);
    expect(again).toMatchObject({ ok: true, value: { source: "pinned" } });
    expect(again.ok && again.value.notice).toBeUndefined();
  });

  it("refuses when a published key is not the pinned one, naming each change and how to accept it", async () => {
    const dir = freshDir();
    await trustedKeys(api, [], dir, fetch);
    doc = { ...original, manifest: [rotatedVkey, ...original.manifest] };
    const r = await trustedKeys(api, [], dir, fetch);
    expect(r).toMatchObject({ ok: false, code: "keys-changed" });
    expect(!r.ok && r.message).toContain(`manifest key ${rotatedVkey} is published but not pinned`);
    expect(!r.ok && r.message).toContain(`accept the new keys deliberately with \`walwarden keys pin --api ${api}\``);
    doc = { ...original, origin: "elsewhere.example/log" };
    const moved = await trustedKeys(api, [], dir, fetch);
    expect(!moved.ok && moved.message).toContain(
      "the log origin changed from walwarden.test/log to elsewhere.example/log",
    );
  });

  it("with --key uses only those keys and neither fetches nor pins", async () => {
    const dir = freshDir();
    const r = await trustedKeys(api, [rotatedVkey, original.checkpoint[0]!], dir, fetch);
    expect(r).toMatchObject({
      ok: true,
      value: { source: "flag", vkeys: [rotatedVkey, original.checkpoint[0]], origin: undefined },
    });
    expect(served).toBe(0);
  });

  it("says what is wrong with a keys document that is not one, or a damaged keys.json", async () => {
    doc = { origin: "x", checkpoint: [original.manifest[0]], manifest: original.manifest };
    const wrongRole = await trustedKeys(api, [], freshDir(), fetch);
    expect(!wrongRole.ok && wrongRole.message).toContain("lists a checkpoint key that is not a valid checkpoint vkey");
    status = 500;
    const down = await trustedKeys(api, [], freshDir(), fetch);
    expect(!down.ok && down.message).toContain("cannot fetch the published keys from");
    const dir = freshDir();
    writeFileSync(join(dir, "keys.json"), "{not json");
    const damaged = await trustedKeys(api, [], dir, fetch);
    expect(!damaged.ok && damaged.message).toContain("keys.json is not valid JSON: fix it, or delete it");
  });
});

describe("walwarden keys", () => {
  async function keys(args: string[], dir: string) {
    const io = bufferIo();
    const code = await main(["keys", ...args, "--api", api], { io, env: { WALWARDEN_CONFIG_DIR: dir } });
    return { code, out: io.out, err: io.err };
  }

  it("shows published and pinned keys, pins deliberately, and forgets", async () => {
    const dir = freshDir();
    const none = await keys([], dir);
    expect(none.code).toBe(0);
    expect(none.out).toContain("Nothing pinned");
    expect(none.out).toContain(
      `Published now:\n  log origin  walwarden.test/log\n  checkpoint  ${original.checkpoint[0]}`,
    );

    const pin = await keys(["pin"], dir);
    expect(pin).toMatchObject({ code: 0 });
    expect(pin.out).toContain(`Pinned the keys ${api} publishes (first pin)`);
    expect((await keys(["show"], dir)).out).toContain("The published keys are the pinned ones.");

    doc = { ...original, manifest: [rotatedVkey, ...original.manifest] } satisfies PublishedKeys;
    const changed = await keys([], dir);
    expect(changed.code).toBe(1);
    expect(changed.out).toContain(
      `The published keys differ from the pinned ones: manifest key ${rotatedVkey} is published but not pinned.`,
    );
    expect(changed.out).toContain(`walwarden keys pin --api ${api}`);
    const repin = await keys(["pin"], dir);
    expect(repin.out).toContain(`(changed: manifest key ${rotatedVkey} is published but not pinned)`);
    expect(JSON.parse((await keys(["show", "--json"], dir)).out)).toMatchObject({
      same: true,
      pinned: { manifest: [rotatedVkey, ...original.manifest] },
    });

    const forget = await keys(["forget"], dir);
    expect(forget.out).toContain(`Forgot the keys pinned for ${api}`);
    expect(JSON.parse(readFileSync(join(dir, "keys.json"), "utf8")).apis).toEqual({});
  });
});
