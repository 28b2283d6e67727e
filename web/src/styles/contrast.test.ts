// WCAG 2.x contrast of the dashboard's colours, read from app.css itself, in both colour schemes: each
// custom property of :root is `light-dark(<light>, <dark>)` (or one colour for both, or another property).
// Text needs 4.5:1 on its background; the focus ring, component borders and the chart's lines 3:1 against
// what they sit on.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("./app.css", import.meta.url), "utf8");
const rootStart = css.indexOf(":root {");
const rootBlock = css.slice(rootStart, css.indexOf("\n}", rootStart));
const declared = new Map(
  [...rootBlock.matchAll(/^\s*--([a-z-]+):\s*([^;]+);/gm)].map((m) => [m[1]!, m[2]!.trim()] as const),
);

type Scheme = "light" | "dark";
const HEX = /^#[0-9a-f]{6}$/i;

/** A property's colour in a scheme (following var() to another property). */
function colour(name: string, scheme: Scheme, seen: string[] = []): string {
  if (HEX.test(name)) return name;
  const value = declared.get(name);
  if (value === undefined) throw new Error(`no --${name} in app.css's :root`);
  if (seen.includes(name)) throw new Error(`--${name} refers to itself: ${seen.join(" → ")}`);
  const pair = /^light-dark\(\s*(#[0-9a-f]{6})\s*,\s*(#[0-9a-f]{6})\s*\)$/i.exec(value);
  if (pair) return scheme === "light" ? pair[1]! : pair[2]!;
  const alias = /^var\(--([a-z-]+)\)$/.exec(value);
  if (alias) return colour(alias[1]!, scheme, [...seen, name]);
  if (HEX.test(value)) return value;
  throw new Error(`--${name}: ${value} is neither light-dark(#rrggbb, #rrggbb), #rrggbb nor var(--…)`);
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
/** The WCAG contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Text on its background (4.5:1). */
const TEXT: [text: string, on: string, where: string][] = [
  ["fg", "bg", "body text"],
  ["fg", "panel", "text in cards and tables"],
  ["fg", "panel-alt", "text on quiet fills"],
  ["fg", "input-bg", "what is typed"],
  ["muted", "bg", "secondary text"],
  ["muted", "panel", "secondary text in cards, table heads"],
  ["muted", "panel-alt", "table heads"],
  ["muted", "neutral-bg", "secondary text on neutral fills"],
  ["link", "bg", "links"],
  ["link", "panel", "links and secondary buttons"],
  ["link", "neutral-bg", "a hovered secondary button"],
  ["link", "info-bg", "a link in an info callout"],
  ["link", "warn-bg", "a link in a warning callout"],
  ["link", "bad-bg", "a link in an error callout"],
  ["on-accent", "accent", "primary buttons"],
  ["on-accent", "accent-hover", "a hovered primary button"],
  ["on-danger", "danger", "destructive buttons"],
  ["disabled-fg", "disabled-bg", "a disabled button"],
  ["good", "good-bg", "good badges and callouts"],
  ["good", "panel", "'Copied', a passed check"],
  ["warn", "warn-bg", "warning badges and callouts"],
  ["bad", "bad-bg", "error badges and callouts"],
  ["bad", "panel", "a field's problem, a failed check"],
  ["bad", "bg", "a field's problem on the page"],
  ["info", "info-bg", "info badges and callouts"],
  ["neutral", "neutral-bg", "neutral badges, steps to come"],
  ["header-fg", "header-bg", "the header"],
  ["header-muted", "header-bg", "who is signed in, the preferences' labels"],
  ["code-fg", "code-bg", "commands and entries"],
  ["chart-size", "panel", "the chart's size axis labels"],
  ["chart-duration", "panel", "the chart's duration axis labels"],
];

/** Non-text (3:1): the focus ring against every surface it is drawn on, component borders, the chart's lines. */
const NON_TEXT: [colour: string, on: string, where: string][] = [
  ...["bg", "panel", "panel-alt", "input-bg", "neutral-bg", "good-bg", "warn-bg", "bad-bg", "info-bg"].map(
    (s) => ["focus", s, "the focus ring"] as [string, string, string],
  ),
  ["focus-on-header", "header-bg", "the focus ring in the header (and the skip link over it)"],
  ["line-strong", "panel", "input and secondary button borders"],
  ["line-strong", "bg", "input borders on the page"],
  ["line-strong", "input-bg", "input borders"],
  ["header-line", "header-bg", "the header's controls"],
  ["chart-size", "panel", "the chart's size line"],
  ["chart-duration", "panel", "the chart's duration line"],
];

describe.each(["light", "dark"] as const)("the %s scheme", (scheme) => {
  it.each(TEXT)("--%s on --%s (%s) has at least 4.5:1 contrast", (text, on) => {
    expect(contrast(colour(text, scheme), colour(on, scheme))).toBeGreaterThanOrEqual(4.5);
  });
  it.each(NON_TEXT)("--%s against --%s (%s) has at least 3:1 contrast", (c, on) => {
    expect(contrast(colour(c, scheme), colour(on, scheme))).toBeGreaterThanOrEqual(3);
  });
});

describe("app.css", () => {
  it("gives every colour property a value in both schemes, and follows the chosen scheme", () => {
    expect(rootBlock).toMatch(/color-scheme:\s*light dark;/);
    expect(css).toMatch(/:root\[data-theme="light"\]\s*\{\s*color-scheme:\s*light;/);
    expect(css).toMatch(/:root\[data-theme="dark"\]\s*\{\s*color-scheme:\s*dark;/);
    for (const name of declared.keys()) {
      if (name === "mono") continue;
      for (const scheme of ["light", "dark"] as const) expect(colour(name, scheme), name).toMatch(HEX);
    }
  });

  it("uses its custom properties for every colour outside :root", () => {
    const rest = css.slice(0, rootStart) + css.slice(rootStart + rootBlock.length);
    const literal = [...rest.matchAll(/^[^/*\n]*?(#[0-9a-f]{3,8}\b|rgba?\(|hsla?\()/gim)].map((m) => m[0].trim());
    expect(literal).toEqual([]);
  });

  it("leaves the areas' stylesheets no literal colour either, so they follow both schemes", () => {
    const areas = ["onboarding", "settings", "operations", "restores"].map((a) => ({
      a,
      text: readFileSync(new URL(`./areas/${a}.css`, import.meta.url), "utf8"),
    }));
    const literal = areas.flatMap(({ a, text }) =>
      [...text.matchAll(/^[^/*\n]*?(#[0-9a-f]{3,8}\b|rgba?\(|hsla?\()/gim)].map((m) => `${a}: ${m[0].trim()}`),
    );
    expect(literal).toEqual([]);
  });

  it("draws the header's focus ring, and the skip link's over it, in --focus-on-header", () => {
    for (const selector of [".top", ".skip-link"]) {
      const block = css.slice(css.indexOf(`\n${selector} {`), css.indexOf("\n}", css.indexOf(`\n${selector} {`)));
      expect(block, selector).toContain("--focus: var(--focus-on-header);");
    }
    expect(css).toMatch(/:focus-visible \{\s*outline: 3px solid var\(--focus\);/);
  });

  it("documents every property at its top, for the areas' stylesheets", () => {
    const doc = css.slice(0, rootStart);
    const undocumented = [...declared.keys()].filter((n) => n !== "accent-dark" && !doc.includes(`--${n}`));
    // "--good, --warn, …" with "--*-bg" and "--*-line" name the status fills and borders.
    const statusParts = /^(good|warn|bad|info|neutral)-(bg|line)$/;
    expect(undocumented.filter((n) => !statusParts.test(n))).toEqual([]);
  });
});
