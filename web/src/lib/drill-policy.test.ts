import { describe, expect, it } from "vitest";
import { ASSERTION_OPS, DRILL_TARGET_KINDS, MAX_ASSERTIONS as WIRE_MAX_ASSERTIONS } from "@walwarden/verifier";
import { nextSlotAfter, parseCron } from "@walwarden/verifier/schedule";
import { DrillPolicyRequestSchema } from "@walwarden/verifier/wire";
import {
  type DrillPolicyBody,
  type DrillPolicyForm,
  formOf,
  formSays,
  MAX_ASSERTIONS,
  newAssertion,
  OPS,
  placeOf,
  problemOrder,
  problemsOfRefusal,
  requestOf,
  rtoFieldsOf,
  TARGETS,
} from "./drill-policy.js";
import { checkDrillPolicyForm, previewRuns } from "./drill-policy-engine.js";

const POLICY: DrillPolicyBody = {
  cron: "0 4 * * 0",
  timezone: "Europe/Berlin",
  backup: { pick: "random", withinDays: 14 },
  target: "server",
  maxRtoSeconds: 900,
  assertions: [
    { name: "orders are there", sql: "select count(*) from orders", expect: { op: "ge", value: 1000 } },
    { name: "no negative totals", sql: "select bool_and(total >= 0) from orders", expect: { op: "eq", value: true } },
    { name: "currency", sql: "select max(currency) from orders", expect: { op: "ne", value: "XXX" } },
  ],
  enabled: false,
};
const saved = {
  ...POLICY,
  databaseId: "db_1",
  createdAt: "2026-12-01T00:00:00.000Z",
  updatedAt: "2026-12-01T00:00:00.000Z",
};
const bodyOf = (f: DrillPolicyForm) => requestOf(f).body;

describe("the drill policy form's constants", () => {
  it("are the verifier's", () => {
    expect(OPS).toEqual(ASSERTION_OPS);
    expect(TARGETS).toEqual(DRILL_TARGET_KINDS);
    expect(MAX_ASSERTIONS).toBe(WIRE_MAX_ASSERTIONS);
  });
});

describe("formOf and requestOf", () => {
  it("a new policy's form sends the API's defaults, every field of the request", () => {
    const body = bodyOf(formOf(null));
    expect(body).toEqual(DrillPolicyRequestSchema.parse({}));
    expect(Object.keys(body).sort()).toEqual(Object.keys(DrillPolicyRequestSchema.shape).sort());
    expect(formOf(null)).toMatchObject({ preset: "weekly", weekday: "0", hour: "4", maxRto: "", pick: "latest" });
  });

  it("reads a saved policy back into a form that sends exactly that policy", () => {
    const form = formOf(saved);
    expect(form).toMatchObject({
      preset: "weekly",
      timezone: "Europe/Berlin",
      pick: "random",
      withinDays: "14",
      target: "server",
      maxRto: "15",
      maxRtoUnit: "minutes",
      enabled: false,
    });
    expect(form.assertions.map((a) => [a.kind, a.value])).toEqual([
      ["number", "1000"],
      ["boolean", "true"],
      ["text", "XXX"],
    ]);
    expect(bodyOf(form)).toEqual(POLICY);
    expect(DrillPolicyRequestSchema.parse(bodyOf(form))).toEqual(POLICY);
    expect(formSays(form, saved)).toBe(true);
    expect(formSays(formOf(null), null)).toBe(false);
  });

  it("sends each field's change, and formSays sees it", () => {
    const form = formOf(saved);
    const changes: [Partial<DrillPolicyForm>, Partial<DrillPolicyBody>][] = [
      [{ preset: "daily", hour: "2" }, { cron: "0 2 * * *" }],
      [{ preset: "custom", cron: " 30  1 * * 1-5 " }, { cron: "30 1 * * 1-5" }],
      [{ timezone: "  " }, { timezone: "UTC" }],
      [{ timezone: "Asia/Tokyo" }, { timezone: "Asia/Tokyo" }],
      [{ pick: "latest" }, { backup: { pick: "latest" } }],
      [{ withinDays: "30" }, { backup: { pick: "random", withinDays: 30 } }],
      [{ target: "local" }, { target: "local" }],
      [{ maxRto: "2", maxRtoUnit: "hours" }, { maxRtoSeconds: 7200 }],
      [{ maxRto: "45", maxRtoUnit: "seconds" }, { maxRtoSeconds: 45 }],
      [{ maxRto: "" }, { maxRtoSeconds: null }],
      [{ enabled: true }, { enabled: true }],
      [{ assertions: [] }, { assertions: [] }],
      [
        { assertions: [{ ...newAssertion(), name: "n", sql: "select 1", op: "lt", value: "-2.5e1" }] },
        { assertions: [{ name: "n", sql: "select 1", expect: { op: "lt", value: -25 } }] },
      ],
      [
        {
          assertions: [{ ...newAssertion(), name: "b", sql: "select true", op: "ne", kind: "boolean", value: "false" }],
        },
        { assertions: [{ name: "b", sql: "select true", expect: { op: "ne", value: false } }] },
      ],
    ];
    for (const [change, sent] of changes) {
      const f = { ...form, ...change };
      expect(bodyOf(f), JSON.stringify(change)).toEqual({ ...POLICY, ...sent });
      expect(formSays(f, saved), JSON.stringify(change)).toBe(false);
    }
  });

  it("puts the max RTO in the largest whole unit", () => {
    expect(rtoFieldsOf(null)).toEqual({ maxRto: "", maxRtoUnit: "minutes" });
    expect(rtoFieldsOf(7200)).toEqual({ maxRto: "2", maxRtoUnit: "hours" });
    expect(rtoFieldsOf(90)).toEqual({ maxRto: "90", maxRtoUnit: "seconds" });
    expect(rtoFieldsOf(120)).toEqual({ maxRto: "2", maxRtoUnit: "minutes" });
  });

  it("says where text that is no number stands", () => {
    const f = formOf(saved);
    const { problems } = requestOf({
      ...f,
      withinDays: "two weeks",
      maxRto: "1.5",
      assertions: [{ ...f.assertions[0]!, value: "lots" }],
    });
    expect(Object.keys(problems).sort()).toEqual(["assertions.0.value", "maxRto", "withinDays"]);
  });
});

describe("checkDrillPolicyForm (the wire's schema and the Worker's cron module)", () => {
  const good = formOf(saved);
  const problemsOf = (f: DrillPolicyForm) => {
    const c = checkDrillPolicyForm(f);
    return c.ok ? {} : c.problems;
  };

  it("passes a good form with the schema's output as the body", () => {
    expect(checkDrillPolicyForm(good)).toEqual({ ok: true, body: POLICY });
    // Names and SQL are trimmed as the API stores them.
    const padded = {
      ...good,
      assertions: good.assertions.map((a) => ({ ...a, name: ` ${a.name} `, sql: `${a.sql}\n` })),
    };
    expect(checkDrillPolicyForm(padded)).toEqual({ ok: true, body: POLICY });
  });

  it("puts each problem at its field", () => {
    const a = good.assertions;
    expect(problemsOf({ ...good, preset: "custom", cron: "61 * * * *" }).cron).toMatch(/^cron "61 \* \* \* \*"/);
    expect(problemsOf({ ...good, preset: "custom", cron: "0 4" }).cron).toMatch(/^a five-field cron/);
    expect(problemsOf({ ...good, preset: "custom", cron: "0 0 30 2 *" }).cron).toMatch(/never runs/);
    expect(problemsOf({ ...good, timezone: "Mars/Olympus" })).toEqual({ timezone: "Not a known IANA time zone." });
    expect(problemsOf({ ...good, withinDays: "0" })).toEqual({ withinDays: "whole days from 1 to 365" });
    expect(problemsOf({ ...good, withinDays: "366" })).toEqual({ withinDays: "whole days from 1 to 365" });
    expect(Object.keys(problemsOf({ ...good, maxRto: "8", maxRtoUnit: "hours" }))).toEqual([]);
    expect(Object.keys(problemsOf({ ...good, maxRto: "169", maxRtoUnit: "hours" }))).toEqual(["maxRto"]);
    expect(Object.keys(problemsOf({ ...good, maxRto: "0" }))).toEqual(["maxRto"]);
    expect(problemsOf({ ...good, assertions: [a[0]!, { ...a[1]!, name: a[0]!.name }] })).toEqual({
      assertions: "Assertion names must be unique.",
    });
    expect(problemsOf({ ...good, assertions: [{ ...a[0]!, name: "  " }] })).toEqual({
      "assertions.0.name": "Required.",
    });
    expect(problemsOf({ ...good, assertions: [a[0]!, { ...a[1]!, sql: "" }] })).toEqual({
      "assertions.1.sql": "Required.",
    });
    expect(problemsOf({ ...good, assertions: [a[0]!, { ...a[1]!, op: "gt" }] })).toEqual({
      "assertions.1.op": "A boolean or string value is compared with eq or ne only.",
    });
    expect(problemsOf({ ...good, assertions: [{ ...a[0]!, value: "" }] })).toEqual({
      "assertions.0.value": "a number, e.g. 1000, -3 or 0.5",
    });
    const many = Array.from({ length: 21 }, (_, i) => ({ ...a[0]!, key: i, name: `n${i}` }));
    expect(problemsOf({ ...good, assertions: many })).toEqual({ assertions: "At most 20 assertions." });
  });

  it("orders problems as the form shows them, for the focus", () => {
    expect(problemOrder(good).slice(0, 7)).toEqual([
      "cron",
      "timezone",
      "withinDays",
      "target",
      "maxRto",
      "assertions",
      "assertions.0.name",
    ]);
    expect(problemOrder(good).at(-1)).toBe("enabled");
  });

  it("previews the drills the Worker queues: the first run is the Worker's next slot", () => {
    const now = Date.parse("2026-12-08T01:00:00Z");
    const p = previewRuns("0 4 * * 0", "Europe/Berlin", now);
    if (!("runs" in p)) throw new Error(p.problem);
    const cron = parseCron("0 4 * * 0", "Europe/Berlin");
    if (!cron.ok) throw new Error(cron.message);
    expect(p.runs[0]).toBe(nextSlotAfter(cron.value, now));
    expect(p.runs.map((t) => new Date(t).toISOString())).toEqual([
      "2026-12-13T03:00:00.000Z",
      "2026-12-20T03:00:00.000Z",
      "2026-12-27T03:00:00.000Z",
      "2027-01-03T03:00:00.000Z",
      "2027-01-10T03:00:00.000Z",
    ]);
    expect(p.intervalSeconds).toBe(7 * 86_400);
  });
});

describe("the API's refusals at their fields", () => {
  it("places each path the PUT names", () => {
    expect(problemsOfRefusal('invalid body: cron: cron "61 * * * *": Invalid value for minute: 61')).toEqual({
      cron: 'cron "61 * * * *": Invalid value for minute: 61',
    });
    expect(problemsOfRefusal("invalid body: timezone: not a known IANA time zone")).toEqual({
      timezone: "Not a known IANA time zone.",
    });
    expect(problemsOfRefusal("invalid body: backup.withinDays: Too big")).toEqual({
      withinDays: "whole days from 1 to 365",
    });
    expect(Object.keys(problemsOfRefusal("invalid body: maxRtoSeconds: Too big"))).toEqual(["maxRto"]);
    expect(
      problemsOfRefusal(
        "invalid body: assertions.2.expect.op: a boolean or string value is compared with eq or ne only",
      ),
    ).toEqual({
      "assertions.2.op": "A boolean or string value is compared with eq or ne only.",
    });
    expect(Object.keys(problemsOfRefusal("invalid body: assertions.0.sql: must not be empty"))).toEqual([
      "assertions.0.sql",
    ]);
    expect(Object.keys(problemsOfRefusal("invalid body: assertions: assertion names must be unique"))).toEqual([
      "assertions",
    ]);
    expect(problemsOfRefusal("invalid body: extra: Unrecognized key")).toEqual({
      form: "invalid body: extra: Unrecognized key",
    });
    expect(problemsOfRefusal("database not found")).toEqual({ form: "database not found" });
  });

  it("places zod paths with numbers as well as text", () => {
    expect(placeOf(["assertions", 3, "expect", "value"])).toBe("assertions.3.value");
    expect(placeOf(["assertions", "3", "name"])).toBe("assertions.3.name");
    expect(placeOf(["backup", "withinDays"])).toBe("withinDays");
    expect(placeOf([])).toBe("form");
  });
});
