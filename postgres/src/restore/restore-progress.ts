/** How far pg_restore is, from its --verbose lines. */
export interface RestoreProgress {
  done: number;
  total: number;
  /** The item it last started, e.g. "TABLE DATA public orders" or "processing data for table \"public.orders\"". */
  current: string | undefined;
}

// Parallel workers share pg_restore's stderr, so two lines can arrive interleaved
// ("pg_restore:pg_restore:  finished item 3383 …"): items are found anywhere in a line.
const ITEM = /(processing|launching|finished) item (\d+) ([^\n]*?)(?=pg_restore:|$)/g;
const SERIAL = /^pg_restore: (creating .+|processing data for table .+|executing .+)$/;
const NOISE = /^pg_restore: (connecting|dropping|entering|finished main|skipping|implied data-only)/;

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
    let found = false;
    for (const m of line.matchAll(ITEM)) {
      found = true;
      const id = Number(m[2]);
      if (!this.tocIds.has(id)) continue;
      this.current = m[3]!.trim();
      if (this.parallel && m[1] !== "launching") this.done.add(id);
    }
    if (found) return true;
    const serial = SERIAL.exec(line);
    if (serial) {
      this.current = serial[1];
      if (!this.parallel) this.serialDone++;
      return true;
    }
    return NOISE.test(line);
  }

  /** pg_restore exited 0: every selected item is done. */
  finish(): void {
    this.serialDone = this.tocIds.size;
    for (const id of this.tocIds) this.done.add(id);
  }

  /** Items done of the selected total (never more than the total). */
  get progress(): RestoreProgress {
    const total = this.tocIds.size;
    const done = Math.min(total, this.parallel ? this.done.size : this.serialDone);
    return { done, total, current: this.current };
  }
}
