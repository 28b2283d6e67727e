import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiErrorSchema } from "@walwarden/verifier/wire";
import { app } from "../src/app.js";
import { type Answer, call, refuse, type RouteContract, type World } from "./support/contract-calls.js";
import { CONTRACT, makeWorld } from "./support/contract-routes.js";
import { parseSse } from "./support/sse.js";
import { looseObjectsIn } from "./support/strict-schema.js";

// The API's contract in real workerd. Every route of the app (read from Hono's own route table, so a route
// added without an entry in support/contract-routes.ts fails) is called with a request its wire schema
// accepts, and each real answer is parsed with the wire schema a client uses, strict all the way down: an
// extra field, a missing one or a wrong type fails, and so does an empty list (it would prove nothing about
// its items). Refused requests' answers are parsed with the error schema.

/** The paths of the empty arrays in a JSON value: an empty list says nothing about its items' shape. */
function emptyArraysIn(value: unknown, path = "(root)"): string[] {
  if (Array.isArray(value))
    return value.length === 0 ? [path] : value.flatMap((v, i) => emptyArraysIn(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => emptyArraysIn(v, `${path}.${k}`));
  return [];
}

/** Parses with `schema` and fails with every issue if it does not fit. */
function expectFits(schema: z.ZodType, value: unknown, what: string): void {
  const r = schema.safeParse(value);
  expect(
    r.success,
    `${what} does not fit its schema: ${r.success ? "" : z.prettifyError(r.error)}\n${JSON.stringify(value)}`,
  ).toBe(true);
}

function expectAnswer(key: string, c: RouteContract, a: Answer): void {
  expect([c.status, ...(c.also ?? [])], `${key}: ${JSON.stringify(a.body)}`).toContain(a.status);
  const type = a.headers.get("content-type") ?? "";
  if (c.answer === "empty") {
    expect(a.body, key).toBe("");
  } else if (c.answer === "zip") {
    expect(type, key).toBe("application/zip");
    expect([...(a.body as Uint8Array).slice(0, 4)], key).toEqual([0x50, 0x4b, 0x03, 0x04]);
  } else if ("text" in c.answer) {
    expect(type, key).toMatch(/^text\/plain/);
    expectFits(c.answer.text, a.body, key);
  } else if ("events" in c.answer) {
    expect(type, key).toMatch(/^text\/event-stream/);
    const events = parseSse(a.body as string);
    const schemas = c.answer.events;
    expect(new Set(events.map((e) => e.event)), key).toEqual(new Set(Object.keys(schemas)));
    for (const e of events) expectFits(schemas[e.event]!, JSON.parse(e.data), `${key} event ${e.event}`);
  } else {
    expect(type, key).toMatch(/^application\/json/);
    expectFits(c.answer.json, a.body, key);
    expect(emptyArraysIn(a.body), `${key}: exercise the route so its lists have items`).toEqual([]);
  }
}

function expectRefusal(key: string, a: Answer): void {
  expect(a.status, key).toBeGreaterThanOrEqual(400);
  expect(a.status, key).toBeLessThan(500);
  expect(a.headers.get("content-type") ?? "", key).toMatch(/^application\/json/);
  expectFits(ApiErrorSchema, a.body, `${key} refusal`);
}

/** Every schema a client parses answers with. */
function answerSchemas(c: RouteContract): z.ZodType[] {
  if (typeof c.answer === "string") return [];
  if ("json" in c.answer) return [c.answer.json];
  if ("text" in c.answer) return [c.answer.text];
  return Object.values(c.answer.events);
}

describe("the API contract", () => {
  let w: World;

  beforeAll(async () => {
    w = await makeWorld();
  });

  it("covers every route the app serves, and no other", () => {
    const served = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
    expect([...served].sort()).toEqual(Object.keys(CONTRACT).sort());
  });

  it("holds every answer to strict schemas: no object in them lets an unknown field through", () => {
    for (const [key, c] of Object.entries(CONTRACT))
      for (const s of answerSchemas(c)) expect(looseObjectsIn(s), key).toEqual([]);
    expect(looseObjectsIn(ApiErrorSchema)).toEqual([]);
    // The check itself finds a loose object, however deep.
    expect(looseObjectsIn(z.strictObject({ a: z.array(z.object({ b: z.string() })).nullable() }))).toEqual([
      "(root).a[]",
    ]);
  });

  for (const [key, c] of Object.entries(CONTRACT))
    it(`${key} answers what its schema says`, async () => {
      const { ok, refused } = await c.exercise(w);
      expect(ok.length, key).toBeGreaterThan(0);
      for (const a of ok) expectAnswer(key, c, a);
      // Every success status the contract names was answered: none is listed without being seen.
      for (const status of [c.status, ...(c.also ?? [])])
        expect(
          ok.map((a) => a.status),
          key,
        ).toContain(status);
      for (const a of refused) expectRefusal(key, a);
    });

  it("an unknown route is a 404 error body", async () => {
    const a = await refuse(404, call("GET", "/v1/nothing-here"));
    expectRefusal("GET /v1/nothing-here", a);
  });
});
