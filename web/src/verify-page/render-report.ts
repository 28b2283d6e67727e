// Renders a verifier Report as plain DOM (no framework: the standalone page stays small). Every text from
// the bundle goes in through textContent, never as markup.
import type { Report } from "@walwarden/verifier";

const STATUS_WORDS = { pass: "passed", fail: "FAILED", skip: "skipped" } as const;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** Shows a problem that stopped verification before it ran (no keys, no file, a bad key). */
export function renderProblem(target: HTMLElement, message: string): void {
  target.replaceChildren(el("p", { className: "verdict bad", role: "alert", textContent: message }));
}

/** Shows the verdict in words (and colour), then every check with its status and detail. */
export function renderReport(
  target: HTMLElement,
  report: Report,
  about: { fileName: string; bytes: number; ms: number; keys: string[]; witnesses?: number },
): void {
  const ok = report.verdict === "verified";
  const verdict = el(
    "p",
    { className: `verdict ${ok ? "good" : "bad"}`, id: "verdict" },
    ok ? "✔ Verified" : "✘ Not verified",
  );
  verdict.dataset.verdict = report.verdict;
  const summary = el(
    "p",
    { className: "summary" },
    `${about.fileName}: ${about.bytes.toLocaleString("en")} bytes, ${report.checks.length} checks in ${Math.round(about.ms)} ms` +
      (report.failed ? `; first failure: ${report.failed}` : "") +
      `. Keys: ${about.keys.map((k) => k.split("+")[0]).join(", ")}.` +
      (about.witnesses ? ` Witness keys required: ${about.witnesses}.` : ""),
  );
  const rows = report.checks.map((c) =>
    el(
      "tr",
      { className: c.status },
      el("td", {}, el("span", { className: `status ${c.status}` }, STATUS_WORDS[c.status])),
      el("td", {}, el("code", { textContent: c.id })),
      el("td", { textContent: c.name }),
      el("td", { className: "detail", textContent: c.detail }),
    ),
  );
  const table = el(
    "table",
    {},
    el("caption", { textContent: "Every check, in the order it ran" }),
    el(
      "thead",
      {},
      el("tr", {}, ...["Status", "Check", "What", "Detail"].map((h) => el("th", { scope: "col", textContent: h }))),
    ),
    el("tbody", {}, ...rows),
  );
  target.replaceChildren(verdict, summary, table);
}
