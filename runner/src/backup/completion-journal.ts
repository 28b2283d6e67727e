import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CompleteRequestSchema } from "@walwarden/verifier/wire";
import { z } from "zod";

/** One uploaded backup offered to the Worker for signing whose outcome is not settled yet (no kit written). */
export const PendingCompletionSchema = z.strictObject({
  jobId: z.string().min(1),
  leaseId: z.string().min(1),
  backupId: z.string().min(1),
  databaseId: z.string().min(1),
  /** The exact complete body: every retry sends it unchanged (the Worker refuses another body). */
  body: CompleteRequestSchema,
  /** What the kit's README and script say (KitFacts without the published keys, fetched when the kit is written). */
  facts: z.strictObject({
    backupId: z.string(),
    databaseId: z.string(),
    artifactKey: z.string(),
    compression: z.enum(["zstd", "gzip", "none"]),
    pgDumpVersion: z.string(),
    serverVersion: z.string(),
    completedAt: z.string(),
    sha256: z.string(),
  }),
  /** Object Lock to apply once the kit is written, if configured. */
  retention: z.strictObject({ mode: z.enum(["GOVERNANCE", "COMPLIANCE"]), retainUntil: z.string() }).nullable(),
  recordedAt: z.string(),
});
/** A pending completion. */
export type PendingCompletion = z.infer<typeof PendingCompletionSchema>;

const FileSchema = z.array(PendingCompletionSchema);

/**
 * The backups this runner uploaded and offered for signing, kept on local disk until their kit is
 * written or the Worker says for certain that nothing was signed. Written before the first complete,
 * so after a crash, a lost answer or an unreachable Worker the next loop (or start) retries complete
 * with the same body and writes the kit: an uploaded object is never abandoned while it may be signed.
 * Writes are atomic (temp file + rename), one at a time.
 */
export class CompletionJournal {
  private constructor(
    private readonly path: string,
    private readonly pending: Map<string, PendingCompletion>,
  ) {}

  /** Opens (creating if needed) the journal in `stateDir`; a file that does not parse is an error, never silently emptied. */
  static async open(stateDir: string): Promise<CompletionJournal> {
    await mkdir(stateDir, { recursive: true });
    const path = join(stateDir, "pending-completions.json");
    let text: string | undefined;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (text === undefined) return new CompletionJournal(path, new Map());
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`${path} is not JSON (${(e as Error).message}); move it aside only if no backup is pending`);
    }
    const records = FileSchema.safeParse(parsed);
    if (!records.success)
      throw new Error(`${path} is not a journal of pending completions: ${records.error.issues[0]?.message}`);
    return new CompletionJournal(path, new Map(records.data.map((p) => [p.jobId, p])));
  }

  /** Jobs whose completion a running backup is settling now: not for finishPendingCompletions to take. */
  private readonly held = new Set<string>();

  /** The pending completions, oldest first. */
  list(): PendingCompletion[] {
    return [...this.pending.values()];
  }

  /** The pending completions no running backup holds, oldest first (what a pass over pending ones may settle). */
  unheld(): PendingCompletion[] {
    return this.list().filter((p) => !this.held.has(p.jobId));
  }

  /** Lets go of a job's entry: if it is still pending, the next pass over pending completions takes it. */
  release(jobId: string): void {
    this.held.delete(jobId);
  }

  /** How many are pending. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Records a completion as pending (before complete is first sent), held by the caller until release():
   * with concurrency above 1, another slot's pass over pending completions must not complete it too.
   */
  async add(p: PendingCompletion): Promise<void> {
    this.held.add(p.jobId);
    this.pending.set(p.jobId, PendingCompletionSchema.parse(p));
    await this.save();
  }

  /** Settles a job's completion: its kit is written, or nothing was signed for it. */
  async remove(jobId: string): Promise<void> {
    if (!this.pending.delete(jobId)) return;
    await this.save();
  }

  private saving: Promise<void> = Promise.resolve();

  private save(): Promise<void> {
    const write = async () => {
      const tmp = `${this.path}.tmp`;
      await writeFile(tmp, JSON.stringify([...this.pending.values()]));
      await rename(tmp, this.path);
    };
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}
