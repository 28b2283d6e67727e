// WCAG 2.x contrast of the dashboard's colour pairs, read from app.css itself: normal text needs 4.5:1.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const css = readFileSync(new URL("./app.css", import.meta.url), "utf8");
const vars = Object.fromEntries([...css.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!]));
const color = (v: string) =>
  v.startsWith("#")
    ? v
    : (vars[v] ??
      (() => {
        throw new Error(`no --${v} in app.css`);
      })());

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
/** The WCAG contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(color(a)), luminance(color(b))].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

it.each([
  ["fg", "bg"],
  ["fg", "panel"],
  ["muted", "bg"],
  ["muted", "panel"],
  ["accent-dark", "panel"], // links and secondary buttons
  ["#ffffff", "accent"], // primary buttons
  ["#ffffff", "accent-dark"],
  ["#ffffff", "bad"], // danger button
  ["good", "good-bg"],
  ["warn", "warn-bg"],
  ["bad", "bad-bg"],
  ["info", "info-bg"],
  ["neutral", "neutral-bg"],
  ["muted", "neutral-bg"],
  ["#ffffff", "#102a43"], // the header
  ["#c9d6e3", "#102a43"],
])("%s on %s has at least 4.5:1 contrast", (fg, bg) => {
  expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
});
