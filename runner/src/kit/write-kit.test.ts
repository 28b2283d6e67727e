// The kit's objects (SPEC §10): in order, the manifest first; with a refusal (the runner refused the kit's
// checkpoint as its org's witness), its record right after the checkpoint, in the verifier's format.
import { KIT_FILES, WitnessRefusalSchema } from "@walwarden/verifier";
import { sampleKit } from "@walwarden/verifier/testing";
import { describe, expect, it } from "vitest";
import type { Completed } from "../api/worker-api.js";
import { kitObjects } from "./write-kit.js";

const s = sampleKit();
const completed = {
  envelope: s.envelope,
  entry: s.kit.entry,
  proof: s.kit.proof,
  checkpoint: s.kit.checkpoint,
} as Completed;
const facts = {
  backupId: "bk_01",
  databaseId: "db_main",
  artifactKey: s.predicate.s3.key,
  compression: "zstd" as const,
  pgDumpVersion: "17.2",
  serverVersion: "16.4",
  completedAt: s.predicate.completedAt,
  sha256: s.artifactSha256,
  publishedKeys: [],
};
const base = s.predicate.s3.key.replace(/\.dump\.zst$/, "");

describe("kitObjects", () => {
  it("the six kit files in order; with a refusal, its record after the checkpoint", () => {
    const plain = kitObjects(s.predicate.s3.key, completed, facts).map((o) => o.key);
    expect(plain).toEqual(Object.values(KIT_FILES).map((f) => `${base}.${f}`));
    const refusal = {
      v: 1 as const,
      at: "2026-11-24T03:01:11.000Z",
      code: "inconsistent",
      message: "checkpoint of size 9 is not proved to extend the accepted size 7: root mismatch",
      acceptedSize: "7",
      size: "9",
      proof: ["N+aLU+n7C4g/qqNuL0/wpzjUVSirVq7JDdPAjN0MK/U="],
    };
    const objects = kitObjects(s.predicate.s3.key, completed, facts, refusal);
    expect(objects.map((o) => o.key)).toEqual([
      `${base}.manifest.json`,
      `${base}.entry.json`,
      `${base}.proof.json`,
      `${base}.checkpoint.txt`,
      `${base}.witness-refused.json`,
      `${base}.README.md`,
      `${base}.restore.sh`,
    ]);
    const record = objects[4]!.body as string;
    expect(WitnessRefusalSchema.parse(JSON.parse(record))).toEqual(refusal);
    expect(record).toBe(
      '{"acceptedSize":"7","at":"2026-11-24T03:01:11.000Z","code":"inconsistent","message":"checkpoint of size 9 is not proved to extend the accepted size 7: root mismatch","proof":["N+aLU+n7C4g/qqNuL0/wpzjUVSirVq7JDdPAjN0MK/U="],"size":"9","v":1}',
    );
  });
});
