import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { Backup } from "@walwarden/verifier/wire";
import { chartData } from "../lib/chart-data.js";
import { formatBytes, formatDuration } from "../lib/format.js";

const MiB = 1024 * 1024;

/**
 * One database's backup history (uPlot): size on the left axis, duration on the right, over completion
 * time. The same numbers are in the table below it, which is what a screen reader reads.
 */
export function HistoryChart({ backups, name }: { backups: Backup[]; name: string }) {
  const box = useRef<HTMLDivElement>(null);
  // Redraw only when the backups change, not on every poll that returns the same list.
  const signature = backups.map((b) => b.id).join(",");
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(320, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height: 260,
      scales: { x: { time: true }, size: { auto: true }, dur: { auto: true } },
      series: [
        { label: "Completed" },
        {
          label: "Size",
          scale: "size",
          stroke: "#1a56db",
          width: 2,
          points: { show: true, size: 7 },
          value: (_u, v) => (v === null ? "—" : formatBytes(v * MiB)),
        },
        {
          label: "Duration",
          scale: "dur",
          stroke: "#b45309",
          width: 2,
          dash: [6, 4],
          points: { show: true, size: 7 },
          value: (_u, v) => (v === null ? "—" : formatDuration(v * 1000)),
        },
      ],
      axes: [
        { stroke: "#1f2933", grid: { stroke: "#e5e9ef" } },
        { scale: "size", label: "Size (MiB)", stroke: "#1a56db", grid: { stroke: "#e5e9ef" } },
        { scale: "dur", label: "Duration (s)", side: 1, stroke: "#b45309", grid: { show: false } },
      ],
    };
    const plot = new uPlot(opts, chartData(backups), el);
    const onResize = () => plot.setSize({ width: width(), height: 260 });
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      plot.destroy();
    };
  }, [signature]);
  return (
    <figure class="chart">
      <div
        ref={box}
        role="img"
        aria-label={`Backup history of ${name}: size and duration of each of the last ${backups.length} backups over time; the table below lists the same numbers.`}
      />
      <figcaption class="muted">
        Size (solid, left axis) and duration (dashed, right axis) of each backup, by completion time.
      </figcaption>
    </figure>
  );
}
