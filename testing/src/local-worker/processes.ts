// The process trees the local Worker and wrangler's commands make, from /proc: who descends from whom,
// what each runs, and waiting for a process group we started to be gone. Linux only.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { liveProcesses, procStat } from "../proc.js";

/** Live (not zombie) processes in process group `pgid`, from /proc. */
function groupMembers(pgid: number): number[] {
  return liveProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/** Waits until process group `pgid` (one we started) has no live member; KILLs what is left after `timeoutMs`. */
export async function groupGone(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() > deadline) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
      await new Promise((r) => setTimeout(r, 200));
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Live descendants of `root` (children, grandchildren, ...), from /proc. */
export function descendantsOf(root: number): number[] {
  const parent = new Map(liveProcesses().map((p) => [p.pid, p.ppid]));
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/** A process's command line, arguments joined by spaces ("" if it is gone). */
export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** CPU time (user + system, all threads, including exited ones) of a process, in ms; undefined if it is gone. */
export function cpuMsOf(pid: number): number | undefined {
  return procStat(pid)?.cpuMs;
}

/** Whether process `pid` has a file under `dir` open. */
export function opensUnder(pid: number, dir: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dir);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
