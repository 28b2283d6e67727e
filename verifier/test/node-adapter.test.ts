import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { portableSha256 } from "../src/hash/sha256.js";
import { singleThreadRangeHasher } from "../src/log/range-hasher.js";
import { verifyBundle } from "../src/bundle/verify-bundle.js";
import { splitLines } from "../src/bundle/lines.js";
import { buildFixtureLog, fixtureBundle, fixturePolicy } from "../src/test-support/fixture-log.js";
// The Node adapter spawns worker threads from compiled JS, so it is tested through the build.
import { nativeEd25519Verify, nativeSha256, parallelRangeHasher } from "../dist/node/index.js";
import { verify as portableVerify } from "../src/ed25519/ed25519.js";
import { fromHex } from "../src/bytes/hex.js";

const vectors = import.meta.glob("./vectors/ed25519/*.json", { eager: true, import: "default" }) as Record<
  string,
  unknown
>;
const hex = (s: string) => fromHex(s)!;

/** Every (signature, message, key) triple in the shared Ed25519 vectors, with the file's own verdict where it has one. */
function ed25519Cases(): { sig: Uint8Array; msg: Uint8Array; pub: Uint8Array; valid?: boolean }[] {
  const out: { sig: Uint8Array; msg: Uint8Array; pub: Uint8Array; valid?: boolean }[] = [];
  for (const [path, v] of Object.entries(vectors)) {
    if (path.endsWith("ed25519_test.json"))
      for (const g of (
        v as { testGroups: { publicKey: { pk: string }; tests: { msg: string; sig: string; result: string }[] }[] }
      ).testGroups)
        for (const t of g.tests)
          out.push({ sig: hex(t.sig), msg: hex(t.msg), pub: hex(g.publicKey.pk), valid: t.result === "valid" });
    else if (path.endsWith("zip215.json"))
      for (const t of v as { vk_bytes: string; sig_bytes: string }[])
        out.push({ sig: hex(t.sig_bytes), msg: new TextEncoder().encode("Zcash"), pub: hex(t.vk_bytes) });
    else if (path.endsWith("edge-cases.json"))
      for (const t of v as { message: string; pub_key: string; signature: string }[])
        out.push({ sig: hex(t.signature), msg: hex(t.message), pub: hex(t.pub_key) });
    else if (path.endsWith("rfc8032-ed25519.json"))
      for (const t of v as { pub: string; msg: string; sig: string }[])
        out.push({ sig: hex(t.sig), msg: hex(t.msg), pub: hex(t.pub), valid: true });
  }
  return out;
}

describe("Node adapter gives the same bytes as the portable code", () => {
  test("native SHA-256 equals portable SHA-256, plain, prefixed and streamed", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 70 }),
        fc.integer({ min: 0, max: 255 }),
        (a, b, p) => {
          expect(nativeSha256.digest(a)).toEqual(portableSha256.digest(a));
          expect(nativeSha256.digestPrefixed(p, a, b)).toEqual(portableSha256.digestPrefixed(p, a, b));
          expect(nativeSha256.stream().update(a).update(b).digest()).toEqual(
            portableSha256.stream().update(a).update(b).digest(),
          );
        },
      ),
    );
  });

  test("native Ed25519 never accepts what the strict portable verifier rejects, and agrees on every valid vector", () => {
    const cases = ed25519Cases();
    expect(cases.length).toBeGreaterThan(350);
    let agreeValid = 0;
    for (const c of cases) {
      const native = nativeEd25519Verify(c.sig, c.msg, c.pub);
      const portable = portableVerify(c.sig, c.msg, c.pub);
      if (native) expect(portable).toBe(true);
      if (c.valid === true) {
        expect(native).toBe(true);
        agreeValid++;
      }
      if (c.valid === false) expect(native).toBe(false);
    }
    expect(agreeValid).toBeGreaterThan(80);
  });

  test("the parallel range hasher equals the single-threaded one on ragged windows", async () => {
    const lines = Array.from({ length: 60_001 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i % 37)}"}\n`).join("");
    const data = new TextEncoder().encode(lines);
    const starts = splitLines(data)!;
    for (const firstIndex of [0, 5, 4093]) {
      const a = await parallelRangeHasher(2).hashRange(data, starts, firstIndex, 8);
      const b = await singleThreadRangeHasher(portableSha256).hashRange(data, starts, firstIndex, 8);
      expect(a.firstBlockStart).toBe(b.firstBlockStart);
      expect(Buffer.from(a.leaves).equals(Buffer.from(b.leaves))).toBe(true);
      expect(Buffer.from(a.blocks).equals(Buffer.from(b.blocks))).toBe(true);
      expect(a.blocks.length).toBeGreaterThan(0);
    }
  });

  test("a bundle verifies the same with the Node adapter as without", async () => {
    const zip = fixtureBundle(buildFixtureLog(150, 11), 30, 140);
    const fast = await verifyBundle(zip, fixturePolicy(), {
      sha256: nativeSha256,
      rangeHasher: parallelRangeHasher(2),
      ed25519: nativeEd25519Verify,
    });
    const slow = await verifyBundle(zip, fixturePolicy());
    expect(fast).toEqual(slow);
    expect(fast.verdict).toBe("verified");
  });
});
