import cliProgress from "cli-progress";
import { formatBytes, formatDuration, formatRate } from "../format.js";
import type { Io } from "../io.js";

/** Shows one phase's progress to the operator (on stderr). */
export interface ProgressDisplay {
  update(value: number, detail?: string): void;
  /** Ends the display (a final line when not on a terminal). */
  done(): void;
}

/** What the numbers count. */
export type ProgressUnit = "bytes" | "items";

/** Plain lines at most this often (when not on a terminal)… */
const LINE_EVERY_MS = 5_000;
/** …or at each 10 % step. */
const LINE_STEP = 0.1;

/**
 * A live bar (cli-progress: done, total, rate, ETA) when stderr is a terminal; otherwise a plain line
 * every 5 s or 10 %, so logs of a scripted restore stay readable.
 */
export function progressDisplay(
  io: Io,
  label: string,
  total: number | null,
  unit: ProgressUnit,
  now: () => number = Date.now,
): ProgressDisplay {
  const start = now();
  const fmt = (n: number) => (unit === "bytes" ? formatBytes(n) : `${n}`);
  const rateOf = (v: number) => {
    const s = (now() - start) / 1000;
    return s > 0 ? v / s : 0;
  };
  if (io.stderrIsTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(12)} [{bar}] {percentage}% {shown} | {rate} | ETA {eta_formatted} {detail}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { shown: "", rate: "", detail: "" });
    return {
      update(value, detail) {
        const r = rateOf(value);
        bar.update(value, {
          shown: `${fmt(value)}${total !== null ? ` of ${fmt(total)}` : ""}`,
          rate: unit === "bytes" ? formatRate(r) : `${r.toFixed(1)}/s`,
          detail: detail ? detail.slice(0, 60) : "",
        });
      },
      done: () => bar.stop(),
    };
  }
  let lastAt = start;
  let lastStep = 0;
  let last = 0;
  let printed = -1;
  const line = (value: number, detail?: string) => {
    printed = value;
    const pct = total ? ` ${Math.floor((100 * value) / total)}%` : "";
    const r = rateOf(value);
    const eta = total && r > 0 && value < total ? `, ETA ${formatDuration((1000 * (total - value)) / r)}` : "";
    const rate = unit === "bytes" ? `, ${formatRate(r)}` : "";
    io.stderr(
      `${label}:${pct} ${fmt(value)}${total !== null ? ` of ${fmt(total)}` : ""}${rate}${eta}${detail ? ` (${detail})` : ""}\n`,
    );
  };
  return {
    update(value, detail) {
      last = value;
      const step = total ? Math.floor(value / total / LINE_STEP) : 0;
      if (now() - lastAt >= LINE_EVERY_MS || step > lastStep) {
        lastAt = now();
        lastStep = step;
        line(value, detail);
      }
    },
    done() {
      if (printed !== last) line(last);
    },
  };
}
