import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { newWebhookSecret, signWebhook, verifyWebhook, webhookSecretKey } from "./standard-webhooks.js";

// The vector of the standardwebhooks library's own test ("sign function works"), from the specification's authors.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("Standard Webhooks signing", () => {
  it("matches the library's published vector", async () => {
    const headers = await signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    expect(headers).toEqual({
      "webhook-id": VECTOR.id,
      "webhook-timestamp": "1614265330",
      "webhook-signature": VECTOR.signature,
    });
    expect(await verifyWebhook(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp + 60)).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it("makes whsec_ secrets of 32 random bytes", () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    const key = webhookSecretKey(a);
    expect(key.ok && key.value.length).toBe(32);
  });

  it("refuses secrets that are not whsec_ and base64 of 24 to 64 bytes", () => {
    for (const bad of [
      "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "whsec_",
      "whsec_not base64!",
      `whsec_${btoa("x".repeat(23))}`,
    ]) {
      expect(webhookSecretKey(bad)).toMatchObject({ ok: false, code: "bad-secret" });
    }
    expect(webhookSecretKey(`whsec_${btoa("x".repeat(64))}`).ok).toBe(true);
    expect(webhookSecretKey(`whsec_${btoa("x".repeat(65))}`).ok).toBe(false);
  });

  it("round-trips, and the library's own verify accepts what it signs", async () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: "alert.opened", data: { summary: "Backups of shop failed ✗" } });
    const headers = await signWebhook(secret, "dlv_1", now, body);
    expect((await verifyWebhook(secret, new Headers(headers), body, now)).ok).toBe(true);
    // What a customer runs (the library reads the real clock, which is `now` here).
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("fails with a wrong secret, a changed body or id, an old or future timestamp", async () => {
    const secret = newWebhookSecret();
    const body = '{"type":"alert.test"}';
    const headers = await signWebhook(secret, "dlv_2", 1_700_000_000, body);
    const verify = (h: Record<string, string>, b: string, now: number, s = secret) => verifyWebhook(s, h, b, now);
    expect(await verify(headers, body, 1_700_000_000 + 300)).toMatchObject({ ok: true });
    expect(await verify(headers, body, 1_700_000_000, newWebhookSecret())).toMatchObject({ code: "bad-signature" });
    expect(await verify(headers, `${body} `, 1_700_000_000)).toMatchObject({ code: "bad-signature" });
    expect(await verify({ ...headers, "webhook-id": "dlv_3" }, body, 1_700_000_000)).toMatchObject({
      code: "bad-signature",
    });
    expect(await verify(headers, body, 1_700_000_000 + 301)).toMatchObject({ code: "too-old" });
    expect(await verify(headers, body, 1_700_000_000 - 301)).toMatchObject({ code: "too-new" });
    expect(await verify({ ...headers, "webhook-timestamp": "1.7e9" }, body, 1_700_000_000)).toMatchObject({
      code: "bad-timestamp",
    });
    const { "webhook-signature": _, ...unsigned } = headers;
    expect(await verify(unsigned, body, 1_700_000_000)).toMatchObject({ code: "missing-header" });
  });

  it("accepts any one of several space-separated signatures (key rotation)", async () => {
    const secret = newWebhookSecret();
    const headers = await signWebhook(secret, "dlv_4", 1_700_000_000, "{}");
    const rotated = { ...headers, "webhook-signature": `v1,AAAA v1a,xyz ${headers["webhook-signature"]}` };
    expect((await verifyWebhook(secret, rotated, "{}", 1_700_000_000)).ok).toBe(true);
    expect((await verifyWebhook(secret, { ...headers, "webhook-signature": "v1," }, "{}", 1_700_000_000)).ok).toBe(
      false,
    );
  });
});
