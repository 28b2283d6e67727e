// The witnesses screen in words and its add form's check (the wire's WitnessRequestSchema), and the verify
// page's witness keys made into the verifier's options as `walwarden-verify --witness … --witness-quorum M`.
import { describe, expect, it } from "vitest";
import { formatCosignerVkey, formatVkey, generateKeyPair, parseCosignerVkey } from "@walwarden/verifier";
import { checkWitness } from "./witness-checks.js";
import { witnessOptions } from "./witness-keys.js";
import { cosignedWords, nameOfVkey, pushWords, waitWords, witnessPath } from "./witnesses.js";

const cosigner = formatCosignerVkey("witness.example.com/w1", generateKeyPair().publicKey);
const runnerNoteKey = formatVkey("walwarden.example.com/runner/rnr_01", generateKeyPair().publicKey);

describe("witnesses in words", () => {
  it("says how much of the log a witness cosigned and how long it has waited", () => {
    expect(cosignedWords(1204, 1210)).toBe("1,204 of 1,210");
    expect(waitWords({ cosignedSize: 1210, headSize: 1210, lagSeconds: 0 })).toEqual({
      text: "up to date",
      tone: "good",
    });
    expect(waitWords({ cosignedSize: 1204, headSize: 1210, lagSeconds: 180 })).toEqual({
      text: "waiting 3 min",
      tone: "neutral",
    });
    expect(waitWords({ cosignedSize: 5, headSize: 9, lagSeconds: 1800 }).tone).toBe("warn");
    expect(waitWords({ cosignedSize: 0, headSize: 9, lagSeconds: 7200 })).toEqual({ text: "waiting 2 h", tone: "bad" });
  });

  it("says an external witness's last push: its error and failures, a success, or none yet", () => {
    const base = { lastAttemptAt: null, lastSuccessAt: null, lastError: null, failures: 0 };
    expect(pushWords(base)).toMatch(/not pushed yet/);
    expect(pushWords({ ...base, lastAttemptAt: "2026-12-01T00:00:00Z", lastSuccessAt: "2026-12-01T00:00:00Z" })).toBe(
      "last push succeeded",
    );
    expect(pushWords({ ...base, lastAttemptAt: "x", lastError: "503: the witness failed", failures: 3 })).toBe(
      "503: the witness failed (3 failures in a row)",
    );
  });

  it("names a witness by its vkey's key name, URL-encoded in its path", () => {
    expect(nameOfVkey(` ${cosigner} `)).toBe("witness.example.com/w1");
    expect(nameOfVkey("no-plus")).toBe("");
    expect(witnessPath("witness.example.com/w1")).toBe("/v1/witnesses/witness.example.com%2Fw1");
  });
});

describe("the add-witness form's check", () => {
  it("passes a cosigner vkey and a URL as the PUT's name and body, trimmed", () => {
    expect(checkWitness({ vkey: ` ${cosigner}\n`, url: " https://witness.example.com/w1 " })).toEqual({
      ok: true,
      body: { name: "witness.example.com/w1", body: { vkey: cosigner, url: "https://witness.example.com/w1" } },
    });
  });

  it("puts each problem at its field: a note key or garbage at the vkey, an empty URL at the URL", () => {
    const refused = checkWitness({ vkey: runnerNoteKey, url: "" });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.problems.vkey).toMatch(/not a cosigner vkey/i);
    expect(refused.problems.url).toBe("Required.");
    const garbage = checkWitness({ vkey: "hello", url: "https://w.example.com" });
    expect(garbage.ok ? undefined : garbage.problems).toEqual({ vkey: expect.stringMatching(/cosigner vkey/) });
  });
});

describe("the verify page's witness keys", () => {
  it("takes cosigner vkeys and a runner's own vkey as --witness does, the quorum all of them unless given", () => {
    const both = witnessOptions(`${cosigner}\n\n${runnerNoteKey}\n`, "");
    expect(both.ok).toBe(true);
    if (!both.ok) return;
    expect(both.count).toBe(2);
    expect(both.value.witnessQuorum).toBe(2);
    const key = parseCosignerVkey(cosigner);
    if (!key.ok) throw new Error(key.message);
    expect(both.value.witnesses?.[0]).toEqual(key.value);
    expect(both.value.witnesses?.[1]?.name).toBe("walwarden.example.com/runner/rnr_01");
    expect(witnessOptions(`${cosigner}\n${runnerNoteKey}`, " 1 ")).toMatchObject({
      ok: true,
      value: { witnessQuorum: 1 },
    });
    expect(witnessOptions("", "")).toEqual({ ok: true, value: {}, count: 0 });
  });

  it("refuses a malformed key at the keys and a quorum that is not 1…N at the quorum", () => {
    expect(witnessOptions(`${cosigner}\nnot-a-key`, "")).toMatchObject({
      ok: false,
      field: "witnesses",
      message: expect.stringMatching(/^Not a witness key: not-a-key/),
    });
    expect(witnessOptions(cosigner, "2")).toMatchObject({ ok: false, field: "quorum" });
    expect(witnessOptions(cosigner, "0")).toMatchObject({ ok: false, field: "quorum" });
    expect(witnessOptions(cosigner, "one")).toMatchObject({ ok: false, field: "quorum" });
    expect(witnessOptions("", "1")).toMatchObject({ ok: false, field: "quorum" });
  });
});
