import { describe, expect, test } from "vitest";
import { samplePredicate } from "../test-support/predicate.js";
import {
  artifactExtension,
  backupObjectKey,
  KIT_FILES,
  kitObjectKey,
  type BackupKeyParts,
  type KitFile,
} from "./kit-layout.js";

const parts: BackupKeyParts = {
  prefix: "walwarden",
  databaseId: "db_main",
  backupId: "bk_01",
  startedAt: "2026-11-24T03:00:00.000Z",
  artifactExt: "dump.zst",
};

describe("kit layout", () => {
  test("artifact extensions by compression and format", () => {
    expect(artifactExtension("zstd", "custom")).toBe("dump.zst");
    expect(artifactExtension("gzip", "custom")).toBe("dump.gz");
    expect(artifactExtension("none", "custom")).toBe("dump");
    expect(artifactExtension("lz4", "tar")).toBe("tar.lz4");
    expect(artifactExtension("none", "plain")).toBe("sql");
  });

  test("the artifact key is <prefix>/<databaseId>/<yyyy>/<mm>/<dd>/<backupId>.<ext>, the sample predicate's s3.key", () => {
    expect(backupObjectKey(parts)).toEqual({ ok: true, value: samplePredicate().s3.key });
    expect(backupObjectKey({ ...parts, prefix: "" })).toEqual({ ok: true, value: "db_main/2026/11/24/bk_01.dump.zst" });
    expect(backupObjectKey({ ...parts, prefix: "a/b//" })).toEqual({
      ok: true,
      value: "a/b/db_main/2026/11/24/bk_01.dump.zst",
    });
    expect(backupObjectKey({ ...parts, prefix: "/" })).toEqual({
      ok: true,
      value: "db_main/2026/11/24/bk_01.dump.zst",
    });
  });

  test("the date is startedAt's UTC date", () => {
    expect(backupObjectKey({ ...parts, startedAt: "2026-12-31T23:59:59.999Z" })).toMatchObject({
      value: "walwarden/db_main/2026/12/31/bk_01.dump.zst",
    });
    expect(backupObjectKey({ ...parts, startedAt: "2027-01-01T00:00:00.000Z" })).toMatchObject({
      value: "walwarden/db_main/2027/01/01/bk_01.dump.zst",
    });
    expect(backupObjectKey({ ...parts, startedAt: "2026-11-24T03:00:00+01:00" })).toMatchObject({
      ok: false,
      code: "unsafe-key",
    });
    expect(backupObjectKey({ ...parts, startedAt: "yesterday" })).toMatchObject({ ok: false, code: "unsafe-key" });
  });

  test.each<[string, Partial<BackupKeyParts>, RegExp]>([
    ["a leading slash", { prefix: "/walwarden" }, /starts with \//],
    ["a .. segment", { prefix: "walwarden/../other" }, /".."/],
    ["a . segment", { prefix: "./walwarden" }, /"\."/],
    ["an empty segment", { prefix: "a//b" }, /empty/],
    ["a control character", { prefix: "wal\nwarden" }, /control/],
    ["a DEL", { prefix: "wal\u007fwarden" }, /control/],
    ["a backslash", { prefix: "wal\\warden" }, /backslash/],
    ["a lone surrogate", { prefix: "wal\ud800" }, /surrogate/],
    ["a databaseId of ..", { databaseId: ".." }, /relative/],
    ["a databaseId with a slash", { databaseId: "db/main" }, /not an id/],
    ["a backupId with a slash", { backupId: "../bk" }, /not an id/],
    ["a backupId with a control character", { backupId: "bk\u0000" }, /not an id/],
    ["an unknown extension", { artifactExt: "exe" }, /artifact extension/],
    ["a key over 1,024 bytes", { prefix: `${"p/".repeat(500)}x` }, /1024/],
  ])("%s is refused", (_name, change, message) => {
    const r = backupObjectKey({ ...parts, ...change });
    expect(r).toMatchObject({ ok: false, code: "unsafe-key" });
    expect(!r.ok && r.message).toMatch(message);
  });

  test("kit files replace the artifact extension", () => {
    const key = "walwarden/db_main/2026/11/24/bk_01.dump.zst";
    expect(kitObjectKey(key, "manifest")).toBe("walwarden/db_main/2026/11/24/bk_01.manifest.json");
    expect(
      Object.keys(KIT_FILES).map((f) =>
        kitObjectKey(key, f as KitFile)
          .split("/")
          .at(-1),
      ),
    ).toEqual([
      "bk_01.manifest.json",
      "bk_01.entry.json",
      "bk_01.proof.json",
      "bk_01.checkpoint.txt",
      "bk_01.README.md",
      "bk_01.restore.sh",
    ]);
  });

  test("for every format and compression, and ids with dots, the kit sits next to its artifact", () => {
    for (const format of ["custom", "tar", "plain"] as const)
      for (const compression of ["none", "gzip", "zstd", "lz4"] as const)
        for (const backupId of ["bk_1", "bk.dump", "bk.sql.gz", "x.tar"]) {
          const key = backupObjectKey({ ...parts, backupId, artifactExt: artifactExtension(compression, format) });
          expect(key.ok).toBe(true);
          if (key.ok)
            expect(kitObjectKey(key.value, "proof")).toBe(`walwarden/db_main/2026/11/24/${backupId}.proof.json`);
        }
  });

  test("a key that is not an artifact key has no kit", () => {
    expect(() => kitObjectKey("walwarden/bk_01.zip", "manifest")).toThrow(RangeError);
    expect(() => kitObjectKey("walwarden/.dump.zst", "manifest")).toThrow(RangeError);
    expect(() => kitObjectKey(".dump", "manifest")).toThrow(RangeError);
  });
});
