import type { PruneTarget } from "@walwarden/verifier/wire";
import { describe, expect, it } from "vitest";
import { kitFileName } from "./kit-files.js";
import { checkOwned } from "./target-layout.js";

const target = (key: string, over: Partial<PruneTarget> = {}): PruneTarget => ({
  backupId: "bk_01",
  completedAt: "2026-11-24T03:01:10.500Z",
  artifact: { bucket: "acme-backups", key, versionId: null, etag: '"e"', sha256: "0".repeat(64) },
  manifestSha256: "0".repeat(64),
  reason: "unkept",
  ...over,
});
const own = { bucket: "acme-backups", prefix: "walwarden", databaseId: "db_main" };

describe("checkOwned: a target is the runner's only in its bucket, under its prefix, in that backup's kit layout", () => {
  it("takes the layout's key for every artifact extension, and with an empty or slash-ended prefix", () => {
    for (const ext of ["dump.zst", "dump", "dump.gz", "tar.lz4", "sql"])
      expect(checkOwned(target(`walwarden/db_main/2026/11/24/bk_01.${ext}`), own).ok).toBe(true);
    expect(checkOwned(target("db_main/2026/11/24/bk_01.dump.zst"), { ...own, prefix: "" }).ok).toBe(true);
    expect(checkOwned(target("a/b/db_main/2026/11/24/bk_01.dump.zst"), { ...own, prefix: "a/b//" }).ok).toBe(true);
  });

  it("refuses (foreign) every other key", () => {
    const refused = [
      "walwarden/db_main/2026/11/24/bk_02.dump.zst", // another backup's
      "walwarden/db_main/2026/11/24/bk_01.manifest.json", // a kit file, not the artifact
      "walwarden/db_main/2026/11/24/bk_01.dump.zst.tmp",
      "walwarden/db_other/2026/11/24/bk_01.dump.zst", // another database's
      "walwardenx/db_main/2026/11/24/bk_01.dump.zst",
      "other/walwarden/db_main/2026/11/24/bk_01.dump.zst",
      "walwarden/db_main/2026/11/25/bk_01.dump.zst", // dated after it completed
      "walwarden/db_main/2026/02/30/bk_01.dump.zst", // no such day
      "walwarden/db_main/2026/11/24/x/bk_01.dump.zst",
      "walwarden/db_main/../db_main/2026/11/24/bk_01.dump.zst",
      "walwarden//db_main/2026/11/24/bk_01.dump.zst",
    ];
    for (const key of refused) expect(checkOwned(target(key), own), key).toMatchObject({ ok: false, code: "foreign" });
    const key = "walwarden/db_main/2026/11/24/bk_01.dump.zst";
    expect(checkOwned(target(key), { ...own, bucket: "other" })).toMatchObject({ ok: false, code: "foreign" });
    expect(checkOwned(target(key), { ...own, prefix: "" })).toMatchObject({ ok: false, code: "foreign" });
  });
});

describe("kitFileName: which keys next to an artifact are its kit files", () => {
  const artifact = "walwarden/db_main/2026/11/24/bk_01.dump.zst";
  it("names every fixed kit suffix and drill receipts; a receipt whose drill id has a dot is ambiguous", () => {
    const base = "walwarden/db_main/2026/11/24/bk_01";
    for (const s of ["manifest.json", "entry.json", "proof.json", "checkpoint.txt", "README.md", "restore.sh"])
      expect(kitFileName(artifact, `${base}.${s}`)).toBe("fixed");
    expect(kitFileName(artifact, `${base}.drill-dr_01.json`)).toBe("receipt");
    // Backup bk_01.drill-x's manifest has this name too.
    expect(kitFileName(artifact, `${base}.drill-x.manifest.json`)).toBe("ambiguous-receipt");
    for (const k of [
      artifact,
      `${base}.dump.zst.tmp`,
      `${base}.notes.txt`,
      `${base}0.manifest.json`,
      `${base}.drill-.json`,
    ])
      expect(kitFileName(artifact, k), k).toBeUndefined();
  });
});
