import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PruneTarget } from "@walwarden/verifier/wire";

/** One object a prune sent (or was about to send) a DeleteObject for. */
export interface JournaledDelete {
  key: string;
  versionId: string | null;
}

/** A target whose deletion began: the artifact as its manifest names it, and every delete in order (the artifact's first). */
export interface JournaledPrune {
  backupId: string;
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string;
  deletes: JournaledDelete[];
  /** When its first delete was recorded (entries older than KEEP_MS are dropped at open). */
  startedAt: string;
}

/** The journal's file in the state dir. */
export const PRUNE_JOURNAL_FILE = "prune-journal.json";

/** How long an entry is kept when no report takes it off (a prune the Worker never asks for again). */
const KEEP_MS = 30 * 86_400_000;

function sameTarget(e: JournaledPrune, t: PruneTarget): boolean {
  return (
    e.backupId === t.backupId &&
    e.bucket === t.artifact.bucket &&
    e.key === t.artifact.key &&
    e.versionId === t.artifact.versionId &&
    e.etag === t.artifact.etag
  );
}

/**
 * What the runner has begun deleting, on local disk: before each DeleteObject the object is recorded
 * (atomically: temp file + rename, one write at a time), so a runner killed mid-prune and restarted, given
 * the same target again (the same job re-claimed, or a new one), knows the artifact that is gone was its
 * own deletion: it reports `deleted` with those keys instead of `missing`, and sends no delete twice for a
 * version it knows is gone. An entry goes once the Worker has taken the report.
 */
export class PruneJournal {
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private entries: JournaledPrune[],
  ) {}

  /** Opens (creating if needed) the journal in `stateDir`, dropping entries older than 30 days. */
  static async open(stateDir: string, now = new Date()): Promise<PruneJournal> {
    await mkdir(stateDir, { recursive: true });
    const path = join(stateDir, PRUNE_JOURNAL_FILE);
    let entries: JournaledPrune[] = [];
    try {
      const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
      if (Array.isArray(parsed))
        entries = parsed.filter(isEntry).filter((e) => now.getTime() - Date.parse(e.startedAt) < KEEP_MS);
    } catch {
      // missing or unreadable: nothing recorded
    }
    return new PruneJournal(path, entries);
  }

  /** The entries (left over from before a crash, when read at start). */
  list(): JournaledPrune[] {
    return this.entries.map((e) => ({ ...e, deletes: [...e.deletes] }));
  }

  /** The entry of a target, if its deletion began. */
  find(t: PruneTarget): JournaledPrune | undefined {
    return this.entries.find((e) => sameTarget(e, t));
  }

  /** Records that `d` is about to be deleted for target `t` (saved before it returns); once per object version. */
  async recordDelete(t: PruneTarget, d: JournaledDelete, now = new Date()): Promise<void> {
    let e = this.find(t);
    if (!e) {
      e = {
        backupId: t.backupId,
        bucket: t.artifact.bucket,
        key: t.artifact.key,
        versionId: t.artifact.versionId,
        etag: t.artifact.etag,
        deletes: [],
        startedAt: now.toISOString(),
      };
      this.entries.push(e);
    }
    if (e.deletes.some((x) => x.key === d.key && x.versionId === d.versionId)) return;
    e.deletes.push({ key: d.key, versionId: d.versionId });
    await this.save();
  }

  /** Forgets targets (their report was taken). */
  async forget(targets: readonly PruneTarget[]): Promise<void> {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => !targets.some((t) => sameTarget(e, t)));
    if (this.entries.length !== before) await this.save();
  }

  private save(): Promise<void> {
    const write = async () => {
      const tmp = `${this.path}.tmp`;
      await writeFile(tmp, JSON.stringify(this.entries));
      await rename(tmp, this.path);
    };
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}

function isEntry(x: unknown): x is JournaledPrune {
  const o = x as Record<string, unknown> | null;
  if (typeof o !== "object" || o === null) return false;
  const str = (v: unknown) => typeof v === "string";
  const version = (v: unknown) => v === null || typeof v === "string";
  return (
    str(o.backupId) &&
    str(o.bucket) &&
    str(o.key) &&
    version(o.versionId) &&
    str(o.etag) &&
    str(o.startedAt) &&
    Array.isArray(o.deletes) &&
    o.deletes.every((d: unknown) => {
      const r = d as Record<string, unknown> | null;
      return typeof r === "object" && r !== null && str(r.key) && version(r.versionId);
    })
  );
}
