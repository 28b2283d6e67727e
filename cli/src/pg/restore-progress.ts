/** How far pg_restore is, from its --verbose lines. */
export interface RestoreProgress {
  done: number;
  total: number;
  /** The item it last started, e.g. "TABLE DATA public orders" or "processing data for table \"public.orders\"". */
  current: string | undefined;
}

const ITEM = /^pg_restore: (?:processing|launching|finished) item (\d+) (.+)$/;
const SERIAL = /^pg_restore: (creating .+|processing data for table .+|executing .+)$/;
const DONE_PARALLEL = /^pg_restore: (?:processing|finished) item (\d+) /;

/**
 * Tracks pg_restore's progress through the archive's selected TOC items (pg_restore -l). With --jobs > 1
 * it names items by id ("processing item N …" before the parallel phase, "finished item N …" in it);
 * with one job it prints one "creating …", "processing data for table …" or "executing …" line per item.
 */
export class RestoreProgressTracker {
  private readonly done = new Set<number>();
  private serialDone = 0;
  private current: string | undefined;

  constructor(
    private readonly tocIds: ReadonlySet<number>,
    private readonly parallel: boolean,
  ) {}

  /** Feeds one stderr line; true if it was a progress line (not an error or notice). */
  line(line: string): boolean {
    const item = ITEM.exec(line);
    if (item) {
      const id = Number(item[1]);
      if (this.tocIds.has(id)) {
        this.current = item[2];
        if (this.parallel && DONE_PARALLEL.test(line)) this.done.add(id);
      }
      return true;
    }
    const serial = SERIAL.exec(line);
    if (serial) {
      this.current = serial[1];
      if (!this.parallel) this.serialDone++;
      return true;
    }
    return /^pg_restore: (connecting|dropping|entering|finished main|launching|implied data-only)/.test(line);
  }

  /** Items done of the selected total (never more than the total). */
  get progress(): RestoreProgress {
    const total = this.tocIds.size;
    const done = Math.min(total, this.parallel ? this.done.size : this.serialDone);
    return { done, total, current: this.current };
  }
}
