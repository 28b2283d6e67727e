// CPU of process trees over a window, for the benches: which of our processes used the cores, and how much
// other work ran on the machine meanwhile. Linux only (reads /proc).
import { readFileSync } from "node:fs";
import { type LiveProcess, liveProcesses, machineCpu } from "../proc.js";

/** What startTreeCpu measured over its window, in ms. */
export interface TreeCpu {
  wallMs: number;
  /** CPU per tree. */
  trees: Record<string, number>;
  /** CPU per tree and command name. */
  byComm: Record<string, Record<string, number>>;
  /** This process's (user + system). */
  selfMs: number;
  /** The trees' and this process's, summed. */
  oursMs: number;
  machineBusyMs: number;
  machineTotalMs: number;
  /** The machine's busy time minus ours (other work on the machine), never below 0. */
  otherMs: number;
}

const commOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
};

/**
 * CPU used over a window by named process trees (each a root pid and all its live descendants; a root given
 * as a function may appear later, e.g. a child spawned after the start), by this process, and by the whole
 * machine: every `everyMs` we read /proc and keep each process's latest utime+stime (an exited process keeps
 * its last reading: up to `everyMs` of its CPU is lost). Processes already alive at the start count from
 * their CPU then. stop() returns ms per tree (and per tree and command name), this process's (user+system),
 * ours (their sum), the machine's busy and total time, and other = busy − ours (other work on the machine,
 * never below 0).
 */
export function startTreeCpu(
  roots: Record<string, number | (() => number | undefined)>,
  everyMs = 100,
): { stop(): TreeCpu } {
  const machine0 = machineCpu();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const procs = new Map<number, { tree: string; comm: string; firstMs: number; lastMs: number }>();
  let first = true;
  const sample = () => {
    const live = liveProcesses();
    const children = new Map<number, LiveProcess[]>();
    for (const p of live) {
      if (!children.has(p.ppid)) children.set(p.ppid, []);
      children.get(p.ppid)!.push(p);
    }
    const byPid = new Map(live.map((p) => [p.pid, p]));
    for (const [tree, root] of Object.entries(roots)) {
      const pid = typeof root === "function" ? root() : root;
      const top = pid === undefined ? undefined : byPid.get(pid);
      if (!top) continue;
      for (const queue = [top]; queue.length > 0; ) {
        const p = queue.pop()!;
        if (p.pid === process.pid) continue; // this process is counted by process.cpuUsage()
        const known = procs.get(p.pid);
        if (known) {
          known.lastMs = p.cpuMs;
          known.comm = commOf(p.pid); // a spawned child is its parent's copy until it execs
        } else procs.set(p.pid, { tree, comm: commOf(p.pid), firstMs: first ? p.cpuMs : 0, lastMs: p.cpuMs });
        queue.push(...(children.get(p.pid) ?? []));
      }
    }
    first = false;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const machine1 = machineCpu();
      const self = process.cpuUsage(self0);
      const trees: Record<string, number> = Object.fromEntries(Object.keys(roots).map((k) => [k, 0]));
      const byComm: Record<string, Record<string, number>> = Object.fromEntries(Object.keys(roots).map((k) => [k, {}]));
      for (const p of procs.values()) {
        trees[p.tree] = (trees[p.tree] ?? 0) + p.lastMs - p.firstMs;
        const comms = byComm[p.tree]!;
        comms[p.comm] = (comms[p.comm] ?? 0) + p.lastMs - p.firstMs;
      }
      const selfMs = (self.user + self.system) / 1000;
      const oursMs = Object.values(trees).reduce((a, b) => a + b, 0) + selfMs;
      const machineBusyMs = machine1.busyMs - machine0.busyMs;
      return {
        wallMs: performance.now() - t0,
        trees,
        byComm,
        selfMs,
        oursMs,
        machineBusyMs,
        machineTotalMs: machine1.totalMs - machine0.totalMs,
        otherMs: Math.max(0, machineBusyMs - oursMs),
      };
    },
  };
}
