import type { AlertNotice } from "../notice.js";

/** A notice for tests and docs: a critical failed backup of database "shop", still open. */
export function sampleNotice(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    deliveryId: "dlv_01J9ZK3Q8W6Y2V4T0R5N7M1P3A",
    orgId: "org_acme",
    incidentId: "inc_01J9ZK2B7C",
    kind: "opened",
    condition: "backup.failed",
    severity: "critical",
    subject: "database:db_1",
    subjectName: "shop",
    summary: "Backups of shop failed: password authentication failed",
    detail: 'pg_dump: error: connection to server failed: FATAL: password authentication failed for user "app"',
    openedAt: "2026-05-01T10:00:00.000Z",
    resolvedAt: null,
    at: "2026-05-01T10:00:05.000Z",
    dashboardUrl: "https://walwarden.example/databases/db_1",
    ...overrides,
  };
}
