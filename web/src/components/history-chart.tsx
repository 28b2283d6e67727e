import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { Backup } from "@walwarden/verifier/wire";
import { axisLabels, chartData, xRange } from "../lib/chart-data.js";
import { formatBytes, formatDuration, formatTime } from "../lib/format.js";
import { usePreferences, useResolvedTheme } from "../lib/preferences-hooks.js";

const MiB = 1024 * 1024;

/** The colours of app.css's custom properties as the page shows them now (canvas takes no var() nor light-dark()). */
function chartColours(el: HTMLElement) {
  const probe = document.createElement("span");
  el.appendChild(probe);
  const read = (name: string) => {
    probe.style.color = `var(--${name})`;
    return getComputedStyle(probe).color;
  };
  const colours = {
    axis: read("fg"),
    grid: read("chart-grid"),
    size: read("chart-size"),
    duration: read("chart-duration"),
  };
  probe.remove();
  return colours;
}

/**
 * One database's backup history (uPlot): size on the left axis, duration on the right, over completion
 * time, in the zone and colour scheme chosen in the header. The same numbers are in the table below it,
 * which is what a screen reader reads.
 */
export function HistoryChart({ backups, name }: { backups: Backup[]; name: string }) {
  const box = useRef<HTMLDivElement>(null);
  const { timeZone } = usePreferences();
  const theme = useResolvedTheme();
  // Redraw only when the backups, the zone or the scheme change, not on every poll that returns the same list.
  const signature = backups.map((b) => b.id).join(",");
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const c = chartColours(el);
    const width = () => Math.max(280, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height: 260,
      // Ticks fall on the zone's hours and midnights.
      ...(timeZone === "utc" ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), "UTC") } : {}),
      scales: {
        x: { time: true, range: (u, min, max) => xRange(min, max, u.data[0][0], u.data[0].at(-1)) },
        size: { auto: true },
        dur: { auto: true },
      },
      series: [
        {
          label: "Completed",
          value: (_u, v) => (v === null ? "—" : formatTime(new Date(v * 1000).toISOString(), timeZone)),
        },
        {
          label: "Size",
          scale: "size",
          stroke: c.size,
          width: 2,
          points: { show: true, size: 7 },
          value: (_u, v) => (v === null ? "—" : formatBytes(v * MiB)),
        },
        {
          label: "Duration",
          scale: "dur",
          stroke: c.duration,
          width: 2,
          dash: [6, 4],
          points: { show: true, size: 7 },
          value: (_u, v) => (v === null ? "—" : formatDuration(v * 1000)),
        },
      ],
      axes: [
        {
          stroke: c.axis,
          grid: { stroke: c.grid },
          ticks: { stroke: c.grid },
          size: 56,
          values: (_u, splits, _axis, _space, incr) => axisLabels(splits, incr, timeZone),
        },
        { scale: "size", label: "Size (MiB)", stroke: c.size, grid: { stroke: c.grid }, ticks: { stroke: c.grid } },
        { scale: "dur", label: "Duration (s)", side: 1, stroke: c.duration, grid: { show: false } },
      ],
    };
    const plot = new uPlot(opts, chartData(backups), el);
    const onResize = () => plot.setSize({ width: width(), height: 260 });
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      plot.destroy();
    };
  }, [signature, timeZone, theme]);
  return (
    <figure class="chart">
      <div
        ref={box}
        role="img"
        aria-label={`Backup history of ${name}: size and duration of each of the last ${backups.length} backups over time; the table below lists the same numbers.`}
      />
      <figcaption class="muted">
        Size (solid, left axis) and duration (dashed, right axis) of each backup, by completion time (
        {timeZone === "utc" ? "UTC" : "local time"}).
      </figcaption>
    </figure>
  );
}
