import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { RunnerLogger } from "../log/logger.js";
import type { DrillJournal, JournaledDrill } from "./drill-journal.js";
import { postmasterPid, runsIn } from "./local-target.js";
import { dropScratchDatabase } from "./server-target.js";

/** A drill's local cluster lives in `cluster/` of its work dir. */
export function clusterDirOf(entry: Pick<JournaledDrill, "dir">): string {
  return join(entry.dir, "cluster");
}

/** What removing a crashed drill's leftovers did. */
export interface Leftover {
  drillId: string;
  dir: string;
  /** The postmaster killed (its pid), if one was still running in the drill's data dir. */
  killedPid: number | null;
  /** The scratch database dropped, if one was recorded. */
  droppedDatabase: string | null;
}

/**
 * Removes what drills a crash interrupted left behind (the journal's entries, read at start): a postmaster
 * still running in a recorded cluster's data dir (the pid in its postmaster.pid, killed only if that
 * process's working directory is that data dir, so a reused pid is never hit: SIGQUIT, PostgreSQL's
 * immediate shutdown, then SIGKILL), the work dir with the cluster and the archive, and a recorded scratch
 * database (DROP DATABASE on drills.server). Each is logged; an entry stays in the journal if its
 * database could not be dropped (the server was down), so the next start tries again.
 */
export async function cleanUpDrillTargets(
  journal: DrillJournal,
  server: string | undefined,
  env: NodeJS.ProcessEnv,
  log: RunnerLogger,
): Promise<Leftover[]> {
  const out: Leftover[] = [];
  for (const entry of journal.list()) {
    const dataDir = join(clusterDirOf(entry), "data");
    let killedPid: number | null = null;
    const pid = await postmasterPid(dataDir);
    if (pid !== undefined && (await runsIn(pid, dataDir))) {
      await killPostmaster(pid, dataDir);
      killedPid = pid;
    }
    await rm(entry.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
    let droppedDatabase: string | null = null;
    let keep = false;
    if (entry.database) {
      if (server && (await dropScratchDatabase(server, entry.database, env))) droppedDatabase = entry.database;
      else keep = !!server;
    }
    if (!keep) await journal.remove(entry);
    const left = { drillId: entry.drillId, dir: entry.dir, killedPid, droppedDatabase };
    log.warn(
      { event: "drill.cleanup", ...left, kept: keep },
      keep
        ? "a crashed drill's scratch database could not be dropped (drills.server unreachable): trying again at the next start"
        : "removed the target of a drill interrupted by a crash",
    );
    out.push(left);
  }
  return out;
}

/** SIGQUIT (immediate shutdown: the postmaster takes its backends down), then SIGKILL after 10 s. */
async function killPostmaster(pid: number, dataDir: string): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // gone
    }
  };
  signal("SIGQUIT");
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50)))
    if (!(await runsIn(pid, dataDir))) return;
  signal("SIGKILL");
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50)))
    if (!(await runsIn(pid, dataDir))) return;
}
