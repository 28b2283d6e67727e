import { describe, expect, it } from "vitest";
import { RESTORE_STATES } from "@walwarden/verifier";
import { artifactBucket, countdownWords, formatCountdown, issuerWords, restoreActions } from "./restore-actions.js";

const NOW = Date.parse("2026-11-24T10:00:00.000Z");
const IN_15_MIN = "2026-11-24T10:15:00.000Z";
const PAST = "2026-11-24T09:59:59.000Z";

describe("what an operator may do with a restore", () => {
  it("cancel only while issued and unexpired; re-issue after expiry, failure or cancel; the countdown while issued", () => {
    for (const state of RESTORE_STATES) {
      const a = restoreActions(state, IN_15_MIN, NOW);
      expect(a.cancel, state).toBe(state === "issued");
      expect(a.commandUsable, state).toBe(state === "issued");
      expect(a.reissue, state).toBe(state === "expired" || state === "failed" || state === "cancelled");
      expect(a.expiresInMs, state).toBe(state === "issued" ? 15 * 60_000 : null);
    }
  });

  it("an issued token past its expiry (before the Worker's alarm records it) is dead: no cancel, no command, re-issue", () => {
    expect(restoreActions("issued", PAST, NOW)).toEqual({
      cancel: false,
      reissue: true,
      expiresInMs: 0,
      commandUsable: false,
    });
  });
});

describe("the countdown", () => {
  it("counts minutes and seconds, rounding up, never below zero", () => {
    expect(formatCountdown(15 * 60_000)).toBe("15:00");
    expect(formatCountdown(874_000)).toBe("14:34");
    expect(formatCountdown(873_001)).toBe("14:34");
    expect(formatCountdown(59_000)).toBe("0:59");
    expect(formatCountdown(-5)).toBe("0:00");
    expect(countdownWords(874_000)).toBe("14 minutes 34 seconds");
    expect(countdownWords(60_000)).toBe("1 minute");
    expect(countdownWords(1_000)).toBe("1 second");
    expect(countdownWords(0)).toBe("0 seconds");
  });
});

describe("who issued it", () => {
  it("a user by email, a token by name, a removed user by kind and id", () => {
    expect(issuerWords("user:usr_1", "ops@example.com")).toBe("ops@example.com");
    expect(issuerWords("user:usr_1", null)).toBe("a removed user (usr_1)");
    expect(issuerWords("token:tok_1", "ci")).toBe("API token “ci”");
    expect(issuerWords("token:tok_1", null)).toBe("API token tok_1");
    expect(issuerWords("system:cron", null)).toBe("system:cron");
  });

  it("finds an artifact's bucket", () => {
    expect(artifactBucket("s3://acme-backups/walwarden/db/bk.dump.zst")).toBe("acme-backups");
    expect(artifactBucket("file:///tmp/x")).toBeUndefined();
  });
});
