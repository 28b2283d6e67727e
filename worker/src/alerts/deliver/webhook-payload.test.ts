import { describe, expect, it } from "vitest";
import { sampleNotice } from "./sample-notice.js";
import { webhookBody } from "./webhook-payload.js";

describe("webhookBody", () => {
  it("is the Standard Webhooks payload shape with the notice's data", () => {
    expect(JSON.parse(webhookBody(sampleNotice()))).toEqual({
      type: "alert.opened",
      timestamp: "2026-05-01T10:00:05.000Z",
      data: {
        deliveryId: "dlv_01J9ZK3Q8W6Y2V4T0R5N7M1P3A",
        incidentId: "inc_01J9ZK2B7C",
        condition: "backup.failed",
        severity: "critical",
        subject: "database:db_1",
        subjectName: "shop",
        summary: "Backups of shop failed: password authentication failed",
        detail: 'pg_dump: error: connection to server failed: FATAL: password authentication failed for user "app"',
        openedAt: "2026-05-01T10:00:00.000Z",
        resolvedAt: null,
        dashboardUrl: "https://walwarden.example/databases/db_1",
        orgId: "org_acme",
      },
    });
  });

  it("types each kind, a test notice as alert.test", () => {
    for (const kind of ["opened", "repeated", "resolved", "test"] as const) {
      expect(JSON.parse(webhookBody(sampleNotice({ kind }))).type).toBe(`alert.${kind}`);
    }
    const resolved = JSON.parse(
      webhookBody(sampleNotice({ kind: "resolved", resolvedAt: "2026-05-01T11:00:00.000Z" })),
    );
    expect(resolved.data.resolvedAt).toBe("2026-05-01T11:00:00.000Z");
  });

  it("keeps the documented key order, so the body is stable across retries", () => {
    const body = webhookBody(sampleNotice());
    expect(body).toBe(webhookBody(sampleNotice()));
    expect(Object.keys(JSON.parse(body))).toEqual(["type", "timestamp", "data"]);
    expect(body.startsWith('{"type":"alert.opened","timestamp":"2026-05-01T10:00:05.000Z","data":{"deliveryId":')).toBe(
      true,
    );
  });
});
