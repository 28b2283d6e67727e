import { describe, expect, it } from "vitest";
import { classifyResponse, classifyThrown, retryAfterSeconds } from "./send-result.js";

describe("send results", () => {
  it("classifies statuses", () => {
    const c = (status: number) => classifyResponse(new Response(null, { status }), [], 0);
    expect(c(204)).toEqual({ ok: true, status: 204 });
    expect(c(302)).toMatchObject({ ok: false, retryable: false, status: 302 });
    expect(c(401)).toMatchObject({ ok: false, retryable: false, status: 401 });
    expect(c(408)).toMatchObject({ ok: false, retryable: true });
    expect(classifyResponse(new Response(null, { status: 404, statusText: "Gone 4 good" }), [], 0)).toMatchObject({
      error: "HTTP 404",
    });
    expect(c(502)).toMatchObject({ ok: false, retryable: true, error: "HTTP 502 Bad Gateway" });
  });

  it("reads Retry-After as seconds or a date, capped at an hour", () => {
    const now = Date.parse("2026-05-01T10:00:00Z");
    expect(retryAfterSeconds("30", now)).toBe(30);
    expect(retryAfterSeconds("Fri, 01 May 2026 10:02:00 GMT", now)).toBe(120);
    expect(retryAfterSeconds("999999", now)).toBe(3600);
    expect(retryAfterSeconds("Fri, 01 May 2026 09:00:00 GMT", now)).toBe(0);
    expect(retryAfterSeconds("soon", now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it("keeps only the name of a thrown error", () => {
    expect(classifyThrown(new TypeError("Fetch API cannot load: https://x/secret"), false, 10_000)).toEqual({
      ok: false,
      retryable: true,
      error: "the request failed (TypeError)",
    });
    expect(classifyThrown("weird", false, 10_000).error).toBe("the request failed (Error)");
    expect(classifyThrown(new DOMException("x", "TimeoutError"), true, 10_000).error).toBe("no answer within 10 s");
  });
});
