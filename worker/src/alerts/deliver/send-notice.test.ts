import { describe, expect, it } from "vitest";
import type { EmailSender } from "./email-sender.js";
import { sampleNotice } from "./sample-notice.js";
import { type ChannelTarget, type SendDeps, sendNotice } from "./send-notice.js";
import { newWebhookSecret, verifyWebhook } from "./standard-webhooks.js";

const NOW = Date.parse("2026-05-01T10:00:07Z");
const SECRET = newWebhookSecret();
// A URL whose path and query look like tokens: no error may show any of it.
const SECRET_URL = "https://hooks.example.com/services/T0PATHSECRET/B0PATHSECRET/xoxTOKENSECRET?token=QUERYSECRET";

interface Recorded {
  url: string;
  init: RequestInit;
}

/** A fetch that records each request and answers with `answer`. */
function stubFetch(answer: (req: Recorded) => Response | Promise<Response>): {
  fetch: typeof fetch;
  calls: Recorded[];
} {
  const calls: Recorded[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = { url: String(input), init: init ?? {} };
    calls.push(req);
    return answer(req);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

/** Deps around a fetch, no email. */
const deps = (fetch: typeof globalThis.fetch, more: Partial<SendDeps> = {}): SendDeps => ({
  fetch,
  email: undefined,
  emailFrom: undefined,
  allowLoopback: false,
  now: () => NOW,
  ...more,
});

const webhook: ChannelTarget = { kind: "webhook", url: SECRET_URL, secret: SECRET };

/** Asserts an error shows nothing of the URL's path or query, nor the secret. */
function expectNoSecrets(error: string) {
  expect(error).not.toMatch(/SECRET|services|token=/);
  expect(error).not.toContain(SECRET.slice(6, 20));
}

describe("sendNotice to a webhook", () => {
  it("POSTs the payload with Standard Webhooks headers that verify, without following redirects", async () => {
    const { fetch, calls } = stubFetch(() => new Response("ok", { status: 200 }));
    expect(await sendNotice(webhook, sampleNotice(), deps(fetch))).toEqual({ ok: true, status: 200 });
    expect(calls).toHaveLength(1);
    const { url, init } = calls[0]!;
    expect(url).toBe(SECRET_URL);
    expect(init.method).toBe("POST");
    expect(init.redirect).toBe("manual");
    expect(init.signal).toBeInstanceOf(AbortSignal);
    const headers = new Headers(init.headers);
    expect(headers.get("content-type")).toBe("application/json");
    expect(headers.get("webhook-id")).toBe("dlv_01J9ZK3Q8W6Y2V4T0R5N7M1P3A");
    expect(headers.get("webhook-timestamp")).toBe(String(Math.floor(NOW / 1000)));
    const body = init.body as string;
    expect(JSON.parse(body)).toMatchObject({ type: "alert.opened", data: { incidentId: "inc_01J9ZK2B7C" } });
    expect(await verifyWebhook(SECRET, headers, body, Math.floor(NOW / 1000) + 30)).toMatchObject({ ok: true });
  });

  it("classifies 3xx and 4xx as permanent; 408, 429 and 5xx as retryable", async () => {
    const cases: [number, boolean][] = [
      [301, false],
      [308, false],
      [400, false],
      [404, false],
      [410, false],
      [408, true],
      [429, true],
      [500, true],
      [503, true],
    ];
    for (const [status, retryable] of cases) {
      const headers = status === 301 ? { location: `${SECRET_URL}/moved` } : undefined;
      const { fetch } = stubFetch(() => new Response(`body ${SECRET_URL} ${SECRET}`, { status, headers }));
      const r = await sendNotice(webhook, sampleNotice(), deps(fetch));
      expect(r, String(status)).toMatchObject({ ok: false, retryable, status });
      if (!r.ok) {
        expect(r.error).toMatch(new RegExp(`^HTTP ${status}`));
        expectNoSecrets(r.error);
      }
    }
    const { fetch } = stubFetch(() => new Response(null, { status: 301 }));
    const r = await sendNotice(webhook, sampleNotice(), deps(fetch));
    expect(!r.ok && r.error).toMatch(/redirects are not followed/);
  });

  it("keeps a short status text, and drops one that repeats the URL or the secret", async () => {
    const answer = (statusText: string) => stubFetch(() => new Response(null, { status: 404, statusText })).fetch;
    expect(await sendNotice(webhook, sampleNotice(), deps(answer("Not Found")))).toMatchObject({
      error: "HTTP 404 Not Found",
    });
    for (const leaky of ["no xoxTOKENSECRET here", `bad ${SECRET.slice(6)}`, "Not T0PATHSECRET", "x".repeat(500)]) {
      const r = await sendNotice(webhook, sampleNotice(), deps(answer(leaky)));
      expect(!r.ok && r.error.length).toBeLessThanOrEqual(60);
      if (!r.ok) expectNoSecrets(r.error);
    }
  });

  it("passes on a 429's Retry-After", async () => {
    const { fetch } = stubFetch(() => new Response(null, { status: 429, headers: { "retry-after": "120" } }));
    expect(await sendNotice(webhook, sampleNotice(), deps(fetch))).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterSeconds: 120,
    });
  });

  it("classifies a network error and a timeout as retryable, without the URL", async () => {
    const failing = stubFetch(() => {
      throw new TypeError(`Fetch API cannot load: ${SECRET_URL}`);
    });
    const r = await sendNotice(webhook, sampleNotice(), deps(failing.fetch));
    expect(r).toEqual({ ok: false, retryable: true, error: "the request failed (TypeError)" });

    const hanging = stubFetch(
      ({ init }) =>
        new Promise<Response>((_, reject) => init.signal!.addEventListener("abort", () => reject(init.signal!.reason))),
    );
    const t = await sendNotice(webhook, sampleNotice(), deps(hanging.fetch, { timeoutMs: 50 }));
    expect(t).toEqual({ ok: false, retryable: true, error: "no answer within 0.1 s" });
  });

  it("refuses a URL that fails the outbound check, without fetching or echoing it", async () => {
    const { fetch, calls } = stubFetch(() => new Response(null));
    for (const url of [
      "https://169.254.169.254/latest/meta-data/T0PATHSECRET",
      "http://hooks.example.com/services/T0PATHSECRET",
      "https://127.0.0.1/services/T0PATHSECRET?token=QUERYSECRET",
    ]) {
      const r = await sendNotice({ kind: "webhook", url, secret: SECRET }, sampleNotice(), deps(fetch));
      expect(r, url).toMatchObject({ ok: false, retryable: false });
      if (!r.ok) expectNoSecrets(r.error);
    }
    expect(calls).toHaveLength(0);
    const local = await sendNotice(
      { kind: "webhook", url: "http://127.0.0.1:8787/hook", secret: SECRET },
      sampleNotice(),
      deps(fetch, { allowLoopback: true }),
    );
    expect(local).toEqual({ ok: true, status: 200 });
  });

  it("refuses a malformed secret without showing it", async () => {
    const { fetch, calls } = stubFetch(() => new Response(null));
    const r = await sendNotice(
      { kind: "webhook", url: SECRET_URL, secret: "whsec_SECRET!!" },
      sampleNotice(),
      deps(fetch),
    );
    expect(r).toEqual({ ok: false, retryable: false, error: "the channel's signing secret is malformed" });
    expect(calls).toHaveLength(0);
  });
});

describe("sendNotice to Slack", () => {
  it("POSTs a Block Kit body", async () => {
    const { fetch, calls } = stubFetch(() => new Response("ok"));
    const slack: ChannelTarget = { kind: "slack", url: "https://hooks.slack.com/services/T0SECRET/B0SECRET/XSECRET" };
    expect(await sendNotice(slack, sampleNotice(), deps(fetch))).toEqual({ ok: true, status: 200 });
    const { init } = calls[0]!;
    expect(new Headers(init.headers).get("content-type")).toBe("application/json");
    expect(new Headers(init.headers).has("webhook-signature")).toBe(false);
    expect(init.redirect).toBe("manual");
    const body = JSON.parse(init.body as string);
    expect(body.text).toMatch(/^🔴 CRITICAL: /);
    expect(body.blocks.length).toBeGreaterThan(2);
  });

  it("treats Slack's 404 no_service (a revoked webhook) as permanent, without the token", async () => {
    const { fetch } = stubFetch(() => new Response("no_service", { status: 404 }));
    const slack: ChannelTarget = { kind: "slack", url: "https://hooks.slack.com/services/T0SECRET/B0SECRET/XSECRET" };
    const r = await sendNotice(slack, sampleNotice(), deps(fetch));
    expect(r).toMatchObject({ ok: false, retryable: false, status: 404 });
    if (!r.ok) expectNoSecrets(r.error);
  });
});

describe("sendNotice by email", () => {
  /** An EmailSender that records, failing for addresses in `refuse`. */
  function recorder(refuse: string[] = []): { sender: EmailSender; sent: { from: string; to: string; raw: string }[] } {
    const sent: { from: string; to: string; raw: string }[] = [];
    return {
      sent,
      sender: {
        async send(from, to, raw) {
          if (refuse.includes(to)) throw new Error("destination address is not a verified address");
          sent.push({ from, to, raw });
        },
      },
    };
  }
  const email = (to: string[]): ChannelTarget => ({ kind: "email", to });
  const noFetch = stubFetch(() => new Response(null)).fetch;

  it("sends one message per recipient through the EmailSender", async () => {
    const { sender, sent } = recorder();
    const r = await sendNotice(
      email(["ops@acme.example", "dba@acme.example"]),
      sampleNotice(),
      deps(noFetch, { email: sender, emailFrom: "alerts@walwarden.example" }),
    );
    expect(r).toEqual({ ok: true });
    expect(sent.map((m) => [m.from, m.to])).toEqual([
      ["alerts@walwarden.example", "ops@acme.example"],
      ["alerts@walwarden.example", "dba@acme.example"],
    ]);
    expect(sent[0]!.raw).toContain("Message-ID: <dlv_01J9ZK3Q8W6Y2V4T0R5N7M1P3A@walwarden.example>");
    expect(sent[0]!.raw).toContain("Date: Fri, 01 May 2026 10:00:07 +0000");
  });

  it("is permanent without a binding or sender, with no or malformed recipients", async () => {
    const { sender } = recorder();
    const configured = { email: sender, emailFrom: "alerts@walwarden.example" };
    expect(await sendNotice(email(["ops@acme.example"]), sampleNotice(), deps(noFetch))).toEqual({
      ok: false,
      retryable: false,
      error: "email is not configured on this Worker (no send_email binding)",
    });
    expect(await sendNotice(email([]), sampleNotice(), deps(noFetch, configured))).toMatchObject({ retryable: false });
    expect(
      await sendNotice(
        email(["ops@acme.example", "x\r\nBcc: y@evil.example"]),
        sampleNotice(),
        deps(noFetch, configured),
      ),
    ).toMatchObject({ retryable: false, error: "recipient 2 of 2 is not a plain email address" });
    expect(
      await sendNotice(
        email(["ops@acme.example"]),
        sampleNotice(),
        deps(noFetch, { ...configured, emailFrom: "nope" }),
      ),
    ).toMatchObject({ retryable: false });
  });

  it("is retryable when the platform refuses or does not answer", async () => {
    const { sender, sent } = recorder(["dba@acme.example"]);
    const r = await sendNotice(
      email(["ops@acme.example", "dba@acme.example"]),
      sampleNotice(),
      deps(noFetch, { email: sender, emailFrom: "alerts@walwarden.example" }),
    );
    expect(r).toEqual({
      ok: false,
      retryable: true,
      error: "1 of 2 recipients failed: destination address is not a verified address",
    });
    expect(sent).toHaveLength(1);
    const hanging: EmailSender = { send: () => new Promise(() => undefined) };
    const t = await sendNotice(
      email(["ops@acme.example"]),
      sampleNotice(),
      deps(noFetch, { email: hanging, emailFrom: "alerts@walwarden.example", timeoutMs: 30 }),
    );
    expect(t).toEqual({ ok: false, retryable: true, error: "1 of 1 recipients failed: no answer in time" });
  });
});
