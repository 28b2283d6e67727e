import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DrillJournal } from "./drill-journal.js";

describe("the drill journal", () => {
  it("keeps what it records across a restart, with the changes saved before each target is made", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-drill-journal-"));
    const journal = await DrillJournal.open(dir);
    const a = { drillId: "dr_a", dir: "/scratch/drill-dr_a-1" } as { drillId: string; dir: string; binDir?: string };
    const b = { drillId: "dr_b", dir: "/scratch/drill-dr_b-2" };
    await journal.add(a);
    await journal.add(b);
    a.binDir = "/usr/lib/postgresql/15/bin";
    await journal.update(a);
    expect((await DrillJournal.open(dir)).list()).toEqual([a, b]);
    await journal.remove(b);
    expect((await DrillJournal.open(dir)).list()).toEqual([a]);
  });
});
