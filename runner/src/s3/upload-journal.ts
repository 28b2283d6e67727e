import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The keys this runner has multipart uploads open for, on local disk, written before an upload starts
 * and cleared after it completes or is aborted. After a crash (SIGKILL, OOM, power), the next start reads
 * it and aborts those uploads, so no orphaned parts are left behind (and no object appears: an upload
 * is completed only after pg_dump succeeded). Writes are atomic (temp file + rename).
 */
export class UploadJournal {
  private constructor(
    private readonly path: string,
    private keys: Set<string>,
  ) {}

  /** Opens (creating if needed) the journal in `stateDir`. */
  static async open(stateDir: string): Promise<UploadJournal> {
    await mkdir(stateDir, { recursive: true });
    const path = join(stateDir, "open-uploads.json");
    let keys: string[] = [];
    try {
      const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
      if (Array.isArray(parsed)) keys = parsed.filter((k): k is string => typeof k === "string");
    } catch {
      // missing or unreadable: nothing recorded
    }
    return new UploadJournal(path, new Set(keys));
  }

  /** Keys recorded as open (left over from before a crash, when read at start). */
  open(): string[] {
    return [...this.keys];
  }

  /** Records an upload to `key` as open. */
  async add(key: string): Promise<void> {
    this.keys.add(key);
    await this.save();
  }

  /** Records the upload to `key` as finished (completed or aborted). */
  async remove(key: string): Promise<void> {
    if (!this.keys.delete(key)) return;
    await this.save();
  }

  private saving: Promise<void> = Promise.resolve();

  /** Saves one at a time (concurrent jobs share the journal), each write the whole current set. */
  private save(): Promise<void> {
    const write = async () => {
      const tmp = `${this.path}.tmp`;
      await writeFile(tmp, JSON.stringify([...this.keys]));
      await rename(tmp, this.path);
    };
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}
