import type { Report } from "@walwarden/verifier";
import { VerdictBadge } from "./status-badge.js";

const WORDS = { pass: "passed", fail: "failed", skip: "skipped" } as const;

/**
 * A verifier report: the verdict, then every check that ran with its status in words and its detail
 * (`checksOnly`: the checks alone, when the caller states the verdict its own way). On a phone each check
 * is a card, each cell under its column's name, so long details and ids wrap inside the screen.
 */
export function ReportView({
  report,
  caption,
  checksOnly = false,
}: {
  report: Report;
  caption: string;
  checksOnly?: boolean;
}) {
  return (
    <div class="report" data-verdict={report.verdict}>
      {checksOnly ? null : (
        <p class="verdict-line" role="status">
          <VerdictBadge verdict={report.verdict} />
          {report.failed ? (
            <span>
              {" "}
              first failed check: <code>{report.failed}</code>
            </span>
          ) : null}
        </p>
      )}
      <div class="stack-on-phone">
        <table class="checks">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Check</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {report.checks.map((c) => (
              <tr key={c.id} data-check={c.id}>
                <td data-label="Status">
                  <span class={`check-status ${c.status}`}>{WORDS[c.status]}</span>
                </td>
                <td data-label="Check">
                  {c.name} <code class="muted wrap">{c.id}</code>
                </td>
                <td class="wrap" data-label="Detail">
                  {c.detail}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
