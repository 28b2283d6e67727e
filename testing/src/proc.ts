// Process and machine facts from /proc and a free loopback port: what the local Worker, the PostgreSQL
// clusters and the benches share. Linux only.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
if (!Number.isSafeInteger(CLK_TCK) || CLK_TCK < 1) throw new Error("getconf CLK_TCK did not print a positive integer");
/** Resolution of the /proc CPU counters, in ms. */
export const CPU_TICK_MS = 1000 / CLK_TCK;

/** The fields of a /proc/<pid>/stat file we use. CPU times in ms: own user and system, and those of its reaped children. */
export interface ProcStat {
  /** R, S, D, Z, … */
  state: string;
  ppid: number;
  pgrp: number;
  userMs: number;
  systemMs: number;
  cpuMs: number;
  childCpuMs: number;
}

/** A running process and its stat fields. */
export interface LiveProcess extends ProcStat {
  pid: number;
}

/** The stat fields of a process (a pid, or the path of a /proc/<pid>/task/<tid>/stat file); undefined if it is gone. */
export function procStat(pidOrPath: number | string): ProcStat | undefined {
  try {
    const s = readFileSync(typeof pidOrPath === "number" ? `/proc/${pidOrPath}/stat` : pidOrPath, "utf8");
    // Fields after "(comm) ": f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14–17.
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    const userMs = Number(f[11]) * CPU_TICK_MS;
    const systemMs = Number(f[12]) * CPU_TICK_MS;
    return {
      state: f[0] ?? "?",
      ppid: Number(f[1]),
      pgrp: Number(f[2]),
      userMs,
      systemMs,
      cpuMs: userMs + systemMs,
      childCpuMs: (Number(f[13]) + Number(f[14])) * CPU_TICK_MS,
    };
  } catch {
    return undefined;
  }
}

/** Every process that is running (not a zombie), with its stat fields. */
export function liveProcesses(): LiveProcess[] {
  const out: LiveProcess[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (st && st.state !== "Z") out.push({ pid: Number(name), ...st });
  }
  return out;
}

/** A TCP port on 127.0.0.1 nobody listens on right now (a server that cannot take port 0 picks one and retries on a clash). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Busy and total CPU time of the whole machine (ms, all cores), from /proc/stat. */
export function machineCpu(): { busyMs: number; totalMs: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = v.reduce((a, b) => a + b, 0);
  return { busyMs: (total - (v[3] ?? 0) - (v[4] ?? 0)) * CPU_TICK_MS, totalMs: total * CPU_TICK_MS };
}

/** Last `n` lines of a text, for error messages. */
export function tail(text: string, n = 30): string {
  return text.split("\n").slice(-n).join("\n");
}
