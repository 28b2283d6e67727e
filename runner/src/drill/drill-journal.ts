import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A drill that is (or may be) live: its work dir (the decompressed archive, and a local target's cluster
 * under `cluster/`), the server binaries of its cluster (set before initdb) and its scratch database on
 * the configured server (set before CREATE DATABASE).
 */
export interface JournaledDrill {
  drillId: string;
  dir: string;
  binDir?: string;
  database?: string;
}

/** The journal's file in the state dir. */
export const DRILL_JOURNAL_FILE = "drill-targets.json";

/**
 * The drill targets this runner may have live, on local disk: each is recorded before it is made (before
 * initdb, before CREATE DATABASE) and forgotten once it is gone. After a crash the next start removes
 * what the journal names (cleanUpDrillTargets). Entries are the objects the caller passed: update() saves
 * a change made to one. Writes are atomic (temp file + rename), one at a time.
 */
export class DrillJournal {
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private targets: JournaledDrill[],
  ) {}

  /** Opens (creating if needed) the journal in `stateDir`. */
  static async open(stateDir: string): Promise<DrillJournal> {
    await mkdir(stateDir, { recursive: true });
    const path = join(stateDir, DRILL_JOURNAL_FILE);
    let targets: JournaledDrill[] = [];
    try {
      const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
      if (Array.isArray(parsed)) targets = parsed.filter(isTarget);
    } catch {
      // missing or unreadable: nothing recorded
    }
    return new DrillJournal(path, targets);
  }

  /** The targets recorded (left over from before a crash, when read at start). */
  list(): JournaledDrill[] {
    return [...this.targets];
  }

  /** Records a drill (before its work dir is made). */
  async add(t: JournaledDrill): Promise<void> {
    this.targets.push(t);
    await this.save();
  }

  /** Saves a change to a recorded drill (before the thing it names is made). */
  async update(_t: JournaledDrill): Promise<void> {
    await this.save();
  }

  /** Forgets a drill (once everything it named is gone). */
  async remove(t: JournaledDrill): Promise<void> {
    const before = this.targets.length;
    this.targets = this.targets.filter((x) => x !== t && !(x.drillId === t.drillId && x.dir === t.dir));
    if (this.targets.length !== before) await this.save();
  }

  private save(): Promise<void> {
    const write = async () => {
      const tmp = `${this.path}.tmp`;
      await writeFile(tmp, JSON.stringify(this.targets));
      await rename(tmp, this.path);
    };
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}

function isTarget(t: unknown): t is JournaledDrill {
  const o = t as Record<string, unknown> | null;
  if (typeof o !== "object" || o === null || typeof o.drillId !== "string" || typeof o.dir !== "string") return false;
  return (
    (o.binDir === undefined || typeof o.binDir === "string") &&
    (o.database === undefined || typeof o.database === "string")
  );
}
