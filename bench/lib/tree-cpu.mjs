// CPU of process trees over a window, for the benches: which of our processes used the cores, and how much
// other work ran on the machine meanwhile. Linux only (reads /proc).
import { readFileSync } from "node:fs";
import { liveProcesses, machineCpu } from "./proc.mjs";

const commOf = (pid) => {
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
 * @param {Record<string, number | (() => number | undefined)>} roots
 * @param {number} [everyMs]
 */
export function startTreeCpu(roots, everyMs = 100) {
  const machine0 = machineCpu();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const procs = new Map(); // pid → { tree, comm, firstMs, lastMs }
  let first = true;
  const sample = () => {
    const live = liveProcesses();
    const children = new Map();
    for (const p of live) {
      if (!children.has(p.ppid)) children.set(p.ppid, []);
      children.get(p.ppid).push(p);
    }
    const byPid = new Map(live.map((p) => [p.pid, p]));
    for (const [tree, root] of Object.entries(roots)) {
      const pid = typeof root === "function" ? root() : root;
      const top = pid === undefined ? undefined : byPid.get(pid);
      if (!top) continue;
      for (const queue = [top]; queue.length > 0; ) {
        const p = /** @type {any} */ (queue.pop());
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
      const trees = Object.fromEntries(Object.keys(roots).map((k) => [k, 0]));
      const byComm = Object.fromEntries(Object.keys(roots).map((k) => [k, {}]));
      for (const p of procs.values()) {
        trees[p.tree] += p.lastMs - p.firstMs;
        byComm[p.tree][p.comm] = (byComm[p.tree][p.comm] ?? 0) + p.lastMs - p.firstMs;
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
