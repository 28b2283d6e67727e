import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  buildFixtureLog,
  fixtureBundle,
  lyingSizes,
  manyEmptyFiles,
  manyEntries,
  nestedZip,
  oneHugeEntry,
  overlappingEntries,
  rawZip,
  zeroDeflate,
} from "@walwarden/verifier/testing";
import { MAX_VERIFY_ZIP_BYTES, VERIFY_BUNDLE_LIMITS } from "../src/routes/verify.js";
import { call } from "./support/client.js";

// POST /v1/verify with zip bombs, in real workerd: each shape is refused with 413 before it is inflated
// (or, if it is no bomb to this reader, answered with a report), quickly, and the Worker answers other
// requests meanwhile. Before, a 1.5 MB zip took the Worker to 1.8 GiB and silenced it for 12–15 s.
// (Peak memory under wrangler dev: bench/zip-bomb.mjs.)
const MiB = 1024 * 1024;
let ip = 0;
const post = (zip: BodyInit, headers: Record<string, string> = {}) =>
  call("POST", "/v1/verify", {
    body: zip,
    headers: { "content-type": "application/zip", "cf-connecting-ip": `198.18.0.${++ip}`, ...headers },
  });
const timed = async <T>(f: () => Promise<T>) => {
  const t = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t };
};

const BOMBS: [string, () => Uint8Array, RegExp][] = [
  [
    "one file of 1,000 MiB of zeros from 1 MB: past 32 MiB per file",
    () => oneHugeEntry(1000 * MiB),
    /^bundle-entry-too-large: /,
  ],
  ["one file of 16 MiB of zeros from 16 KB: ratio 1,000", () => oneHugeEntry(16 * MiB), /^bundle-ratio: /],
  ["a directory declaring 1,000 bytes for 1,000 MiB", () => lyingSizes(1000 * MiB, 1000), /^bundle-size-mismatch: /],
  ["60 files of 1 MiB: past 48 MiB in all", () => manyEntries(60, MiB), /^bundle-too-large: /],
  ["40 files of 1 MiB, each under the ratio floor, from 40 KB", () => manyEntries(40, MiB), /^bundle-ratio: the files/],
  [
    "a file declared 40 MiB at ratio 64: past 32 MiB per file",
    () => declaredFile(40 * MiB, 64),
    /^bundle-entry-too-large/,
  ],
  ["100 overlapping files sharing one kernel", () => overlappingEntries(100, MiB), /^bundle-overlap: /],
  ["20,001 empty files", () => manyEmptyFiles(VERIFY_BUNDLE_LIMITS.maxFiles + 1), /^bundle-too-many-files: /],
];

/** One file that declares `size` bytes with compressed data `size / ratio` long (its data is 1 MiB of zeros, padded). */
function declaredFile(size: number, ratio: number): Uint8Array {
  const data = new Uint8Array(Math.ceil(size / ratio));
  data.set(zeroDeflate(MiB));
  return rawZip([{ name: "log/entries.jsonl", method: 8, data, size }]);
}

describe("POST /v1/verify refuses zip bombs", () => {
  it.each(BOMBS)("%s: 413 before inflating", async (_, bomb, why) => {
    const zip = bomb();
    const { value: r, ms } = await timed(() => post(zip));
    expect(r.status, JSON.stringify(r.body)).toBe(413);
    expect(r.body.error.code).toBe("payload-too-large");
    expect(r.body.error.message).toMatch(why);
    expect(r.body.error.message).toMatch(/run walwarden-verify bundle locally/);
    expect(ms).toBeLessThan(5_000);
  });

  it("a zip inside the zip is one file, never opened: a report (no signed index), quickly", async () => {
    const { value: r, ms } = await timed(() => post(nestedZip(1000 * MiB)));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ verdict: "not-verified", failed: "index.signature" });
    expect(ms).toBeLessThan(5_000);
  });

  it("a zip that holds one path twice: a report naming it, nothing inflated", async () => {
    const data = zeroDeflate(1000 * MiB);
    const twice = rawZip([
      { name: "log/entries.jsonl", method: 8, data, size: 1000 * MiB },
      { name: "log/entries.jsonl", method: 8, data, size: 1000 * MiB },
    ]);
    const r = await post(twice);
    expect(r.status).toBe(200);
    expect(r.body.checks[0]).toMatchObject({ id: "bundle.zip", status: "fail", detail: /^duplicate-path: / });
  });

  it("a real bundle still verifies under the endpoint's limits", async () => {
    const r = await post(fixtureBundle(buildFixtureLog(300, 3), 0, 300));
    expect(r.status).toBe(200);
    expect(r.body.verdict).toBe("verified");
  });
});

describe("POST /v1/verify bounds the body before reading it", () => {
  it("a Content-Length over the cap is refused without reading the body", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += MiB;
        c.enqueue(new Uint8Array(MiB));
        if (pulled >= 64 * MiB) c.close();
      },
    });
    const r = await post(body, { "content-length": String(64 * MiB) });
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(`bundles over ${MAX_VERIFY_ZIP_BYTES} bytes`);
    expect(pulled).toBeLessThan(64 * MiB);
  });

  it("a body without Content-Length is counted as it arrives and no longer read past the cap", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += MiB;
        c.enqueue(new Uint8Array(MiB));
        if (pulled >= 1024 * MiB) c.close();
      },
    });
    const r = await post(body);
    expect(r.status).toBe(413);
    expect(pulled).toBeLessThan(MAX_VERIFY_ZIP_BYTES + 8 * MiB);
    expect(pulled).toBeGreaterThan(MAX_VERIFY_ZIP_BYTES);
  });

  it("a JSON body without Content-Length is capped the same way (8 MiB)", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += MiB;
        c.enqueue(new Uint8Array(MiB).fill(0x20));
        if (pulled >= 1024 * MiB) c.close();
      },
    });
    const r = await call("POST", "/v1/verify", {
      body,
      headers: { "content-type": "application/json", "cf-connecting-ip": "198.18.1.1" },
    });
    expect(r.status).toBe(413);
    expect(pulled).toBeLessThan(16 * MiB);
  });
});

describe("the Worker keeps answering while bombs arrive", () => {
  it("every bomb at once: all refused, and GET /.well-known/walwarden/keys answers meanwhile", async () => {
    const zips = BOMBS.map(([, bomb]) => bomb());
    const started = performance.now();
    const bombs = Promise.all(zips.map((z) => timed(() => post(z))));
    // Requests to the same isolate while the bombs are being read.
    const others = await Promise.all(
      Array.from({ length: 5 }, () => timed(() => SELF.fetch("https://walwarden.test/.well-known/walwarden/keys"))),
    );
    for (const o of others) {
      expect(o.value.status).toBe(200);
      expect(o.ms).toBeLessThan(10_000);
    }
    const answered = await bombs;
    expect(answered.map((a) => a.value.status)).toEqual(zips.map(() => 413));
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
