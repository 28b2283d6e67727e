import { expect } from "vitest";
import type { z } from "zod";
import type { IssueRestoreResponse } from "@walwarden/verifier/wire";
import { type CallOptions, type Org, send } from "./client.js";

// The calls the API contract's table (contract-routes.ts) is written with: a request as sent, its answer
// read, setup steps that must succeed and refusals that must have a status. contract.test.ts holds every
// answer to its schema; fuzz.test.ts mutates the valid requests the table sends.

/** What a route answers on success. */
export type Body = { json: z.ZodType } | { text: z.ZodType } | { events: Record<string, z.ZodType> } | "empty" | "zip";

/** One real answer: status, headers, and the body as JSON, bytes (a zip) or text. */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A route's contract: the schemas of its request, its success status and body, and how to call it. */
export interface RouteContract {
  request?: { body?: z.ZodType; query?: z.ZodType };
  status: number;
  /** Other success statuses the route answers; its exercise sends a request for each. */
  also?: number[];
  answer: Body;
  /** Valid requests (each answer is held to `status` or `also`, and `answer`) and refused ones (held to the error schema). */
  exercise(w: World): Promise<{ ok: Answer[]; refused: Answer[] }>;
}

/** What every route's exercise starts from. */
export interface World {
  /** An org with a token per role, a runner, a database with a completed backup, and a bucket credential. */
  org: Org;
  backupId: string;
  /** The first admin, from POST /v1/bootstrap (the only admin of their org). */
  admin: { email: string; password: string; userId: string; cookie: string };
  bootstrapped: Answer;
}

/** How a request is sent: a bearer token or a session cookie, a JSON body or raw bytes, extra headers. */
export type Send = CallOptions;

export { BUCKET, CREDENTIAL } from "./restore-calls.js";
/** An id nothing has. */
export const UNKNOWN_ID = "zzz_does_not_exist";

/** Sends a request to the Worker in workerd, as `o` says. */
export const fetchRaw = send;

/** Reads an answer: JSON, a zip's bytes, or text. */
export async function answerOf(res: Response): Promise<Answer> {
  const type = res.headers.get("content-type") ?? "";
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  const body = type.includes("json") ? JSON.parse(text) : type.startsWith("application/zip") ? bytes : text;
  return { status: res.status, headers: res.headers, body };
}

/** Any call, as sent (for refused requests, which need not match a request schema). */
export const call = async (method: string, path: string, o: Send = {}) => answerOf(await fetchRaw(method, path, o));

/** `path` is an instance of the route `key` ("GET /v1/backups/:id"). */
export function matchesRoute(key: string, method: string, path: string): boolean {
  const [m, pattern] = key.split(" ") as [string, string];
  const re = new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, "[^/?]+")}(\\?.*)?$`);
  return m === method && re.test(path);
}

/** A refused request: the answer must have `status`. */
export async function refuse(status: number, a: Promise<Answer>): Promise<Answer> {
  const x = await a;
  expect(x.status, JSON.stringify(x.body)).toBe(status);
  return x;
}

/** The body of a setup step that must succeed. */
// biome-ignore lint/suspicious/noExplicitAny: setup reads the answers it needs loosely; the contract is checked by the schema parses.
export async function setup<T = any>(a: Promise<Answer>, status: number, what: string): Promise<T> {
  const x = await a;
  if (x.status !== status) throw new Error(`${what}: expected ${status}, got ${x.status} ${JSON.stringify(x.body)}`);
  return x.body as T;
}

/** A new database of the world's org. */
export const newDatabase = async (w: World, name = "contract db"): Promise<string> =>
  (await setup(call("POST", "/v1/databases", { token: w.org.adminToken, json: { name, provider: "rds" } }), 201, "db"))
    .id;

/** A new hourly schedule of the world's database. */
export const newSchedule = (w: World) =>
  setup(
    call("POST", "/v1/schedules", {
      token: w.org.adminToken,
      json: { databaseId: w.org.databaseId, cron: "0 * * * *", targetRpoMinutes: 60 },
    }),
    201,
    "schedule",
  );

/** A restore of the world's backup, issued by an operator. */
export const issueRestore = (w: World): Promise<IssueRestoreResponse> =>
  setup(call("POST", "/v1/restores", { token: w.org.operatorToken, json: { backupId: w.backupId } }), 201, "issue");

/** An issued and claimed restore: its id and progress credential. */
export async function claimedRestore(w: World) {
  const issued = await issueRestore(w);
  const claimed = await setup(
    call("POST", "/v1/restores/claim", { json: { token: issued.token, orgId: w.org.orgId, clientVersion: "0.1.0" } }),
    200,
    "claim",
  );
  return { restoreId: issued.restoreId, progressToken: claimed.progressToken as string };
}

/** Reports a restore transition that must succeed. */
export const transition = (restoreId: string, progressToken: string, json: unknown) =>
  setup(call("POST", `/v1/restores/${restoreId}/transition`, { token: progressToken, json }), 200, "transition");

/** A valid progress report. */
export const PROGRESS = { phase: "downloading", bytes: 1024, totalBytes: 4096, bytesPerSecond: 512 };
