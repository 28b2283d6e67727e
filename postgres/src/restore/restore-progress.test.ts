import { describe, expect, it } from "vitest";
import { RestoreProgressTracker } from "./restore-progress.js";

// Lines as pg_restore 15 prints them with --verbose (captured from a real run).
const PARALLEL = `pg_restore: connecting to database for restore
pg_restore: processing item 3359 ENCODING ENCODING
pg_restore: processing item 6 SCHEMA app
pg_restore: creating SCHEMA "app"
pg_restore: processing item 215 TABLE t
pg_restore: creating TABLE "app.t"
pg_restore: entering main parallel loop
pg_restore: launching item 3354 TABLE DATA t
pg_restore: processing data for table "app.t"
pg_restore: finished item 3354 TABLE DATA t
pg_restore: launching item 3208 CONSTRAINT t t_pkey
pg_restore: creating CONSTRAINT "app.t t_pkey"
pg_restore: finished main parallel loop`.split("\n");

const SERIAL = `pg_restore: connecting to database for restore
pg_restore: creating SCHEMA "app"
pg_restore: creating TABLE "app.t"
pg_restore: processing data for table "app.t"
pg_restore: executing SEQUENCE SET orders_id_seq`.split("\n");

describe("RestoreProgressTracker", () => {
  it("counts selected TOC items by id when restoring in parallel", () => {
    const t = new RestoreProgressTracker(new Set([6, 215, 3354, 3208]), true);
    for (const l of PARALLEL) expect(t.line(l)).toBe(true);
    expect(t.progress).toEqual({ done: 3, total: 4, current: 'creating CONSTRAINT "app.t t_pkey"' });
  });

  it("counts one line per item with one job", () => {
    const t = new RestoreProgressTracker(new Set([1, 2, 3, 4, 5]), false);
    for (const l of SERIAL) t.line(l);
    expect(t.progress).toEqual({ done: 4, total: 5, current: "executing SEQUENCE SET orders_id_seq" });
  });

  it("finds items in lines that parallel workers interleaved", () => {
    const t = new RestoreProgressTracker(new Set([3383, 3384]), true);
    expect(t.line("pg_restore:pg_restore:  finished item 3383 TABLE DATA events_2027")).toBe(true);
    expect(t.line("pg_restore: finished item 3384 TABLE DATA orderspg_restore: launching item 9 TABLE x")).toBe(true);
    expect(t.progress).toEqual({ done: 2, total: 2, current: "TABLE DATA orders" });
  });

  it("tells error lines apart from progress", () => {
    const t = new RestoreProgressTracker(new Set(), false);
    expect(t.line('pg_restore: error: could not execute query: ERROR:  schema "app" already exists')).toBe(false);
    expect(t.line("Command was: CREATE SCHEMA app;")).toBe(false);
    expect(t.progress.done).toBe(0);
  });
});
