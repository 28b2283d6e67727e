import { describe, expect, it } from "vitest";
import type { LogEntriesPage } from "@walwarden/verifier/wire";
import { actorLabel, entryJson, entrySubjectPath, listedEntry, newestEntries, type ReadEntries } from "./entry-text.js";

/** A log of `n` entries served as GET /v1/log/entries serves it (oldest first after a seq), counting reads. */
function log(n: number, typeOf: (seq: number) => string = () => "backup.completed") {
  const all = Array.from({ length: n }, (_, seq) =>
    JSON.stringify({
      v: 1,
      seq,
      type: typeOf(seq),
      at: "2026-12-02T14:05:00Z",
      actor: "system:cron",
      subject: `database:db_${seq % 3}`,
      data: { seq },
    }),
  );
  const reads: string[] = [];
  const read: ReadEntries = async (q) => {
    reads.push(q.toString());
    const after = q.has("after") ? Number(q.get("after")) : -1;
    const limit = Number(q.get("limit"));
    expect(limit).toBeGreaterThanOrEqual(1);
    expect(limit).toBeLessThanOrEqual(1000);
    const matching = all.filter((t) => {
      const e = JSON.parse(t) as { seq: number; type: string; subject: string };
      return (
        e.seq > after &&
        (!q.get("type") || e.type === q.get("type")) &&
        (!q.get("subject") || e.subject === q.get("subject"))
      );
    });
    const items = matching.slice(0, limit);
    const page: LogEntriesPage = {
      entries: items,
      nextAfter: matching.length > limit ? (JSON.parse(items.at(-1)!) as { seq: number }).seq : null,
    };
    return page;
  };
  return { read, reads };
}
const seqs = (p: { entries: { seq: number }[] }) => p.entries.map((e) => e.seq);

describe("the audit log newest first", () => {
  it("reads the newest page in one request, then each older page, down to seq 0", async () => {
    const { read, reads } = log(250);
    const first = await newestEntries(read, { below: 250, size: 100 });
    expect(seqs(first)).toEqual(Array.from({ length: 100 }, (_, i) => 249 - i));
    expect(first.olderThan).toBe(150);
    expect(reads).toEqual(["limit=100&after=149"]);
    const second = await newestEntries(read, { below: first.olderThan!, size: 100 });
    expect(seqs(second)[0]).toBe(149);
    const third = await newestEntries(read, { below: second.olderThan!, size: 100 });
    expect(seqs(third)).toEqual(Array.from({ length: 50 }, (_, i) => 49 - i));
    expect(third.olderThan).toBeNull();
    expect(reads.at(-1)).toBe("limit=50");
  });

  it("starts at a seq asked for", async () => {
    const { read } = log(250);
    const page = await newestEntries(read, { below: 11, size: 100 });
    expect(seqs(page)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(page.olderThan).toBeNull();
  });

  it("finds a rare type far back with growing windows, each match once, and says where it stopped", async () => {
    const { read, reads } = log(20_000, (seq) => (seq % 997 === 0 ? "restore.failed" : "backup.completed"));
    const page = await newestEntries(read, { below: 20_000, size: 5, type: "restore.failed" });
    expect(seqs(page)).toEqual([19_940, 18_943, 17_946, 16_949, 15_952]);
    expect(page.olderThan).toBe(15_575); // where the window that found the fifth began
    expect(reads.length).toBeLessThanOrEqual(12);
    expect(reads[0]).toBe("limit=5&after=19994&type=restore.failed");
    // A filter that matches nothing stops after its reads and says how far back it looked.
    const none = await newestEntries(read, { below: 20_000, size: 5, type: "user.removed", maxReads: 3 });
    expect(none.entries).toEqual([]);
    expect(none.olderThan).toBe(20_000 - 5 - 20 - 80);
    const more = await newestEntries(read, { below: page.olderThan!, size: 5, type: "restore.failed" });
    expect(seqs(more)).toEqual([14_955, 13_958, 12_961, 11_964, 10_967]);
  });

  it("keeps every entry of a window when a filter matches many, and continues below the last one shown", async () => {
    const { read } = log(3000);
    const page = await newestEntries(read, { below: 3000, size: 100, subject: "database:db_0" });
    expect(page.entries.every((e) => e.subject === "database:db_0")).toBe(true);
    expect(seqs(page)).toEqual(Array.from({ length: 100 }, (_, i) => 2997 - 3 * i));
    const next = await newestEntries(read, { below: page.olderThan!, size: 100, subject: "database:db_0" });
    expect(seqs(next)[0]).toBe(2997 - 300);
  });
});

describe("a log entry in words and links", () => {
  it("shows the entry whole, from the text as stored", () => {
    const text =
      '{"actor":"runner:rnr_1","at":"2026-12-02T14:05:00Z","data":{"a":[1,2]},"seq":4,"subject":"database:db_1","type":"backup.completed","v":1}';
    const e = listedEntry(text);
    expect(e).toMatchObject({ seq: 4, actor: "runner:rnr_1", subject: "database:db_1", text });
    expect(entryJson(e)).toBe(JSON.stringify(JSON.parse(text), null, 2));
    expect(entryJson(e)).toContain('"a": [\n      1,\n      2\n    ]');
  });

  it("links subjects to their screens", () => {
    expect(entrySubjectPath("database:db_1")).toBe("/databases/db_1");
    expect(entrySubjectPath("restore:rs_1")).toBe("/restores/rs_1");
    expect(entrySubjectPath("runner:rnr_1")).toBe("/runners");
    expect(entrySubjectPath("bucket:acme")).toBe("/runners#posture-acme");
    expect(entrySubjectPath("backup:bkp_1")).toBe("/backups/bkp_1");
    expect(entrySubjectPath("drill:drl_1")).toBe("/drills/drl_1");
    expect(entrySubjectPath("channel:ch_1")).toBe("/alerts/channels");
    expect(entrySubjectPath("org:org_1")).toBeNull();
    expect(entrySubjectPath("key:checkpoint")).toBeNull();
  });

  it("names actors the dashboard knows, and shows the id of the others", () => {
    const names = new Map([
      ["runner:rnr_1", "eu runner"],
      ["user:usr_1", "ada@example.com"],
    ]);
    expect(actorLabel("runner:rnr_1", names)).toEqual({ label: "eu runner", kind: "runner", named: true });
    expect(actorLabel("user:usr_1", names)).toEqual({ label: "ada@example.com", kind: "user", named: true });
    expect(actorLabel("user:usr_2", names)).toEqual({ label: "user:usr_2", kind: "user", named: false });
    expect(actorLabel("system:cron", names)).toEqual({ label: "system:cron", kind: "system", named: false });
  });
});
