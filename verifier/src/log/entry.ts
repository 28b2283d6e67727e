import { z } from "zod";
import { canonicalBytes, parseCanonical } from "../jcs/canonicalize.js";
import { err, ok, type Result } from "../result.js";
import { describeIssue, Instant } from "../schema/common.js";
import { EventData, EVENT_TYPES, type EventDataOf, type EventType } from "./event-data.js";

/** The version of the log entry format. */
export const LOG_ENTRY_VERSION = 1;

/** Who did something: `user:<id>`, `runner:<id>`, `token:<id>`, `restore:<id>` (the CLI), or `system:<job>`. */
export const Actor = z
  .string()
  .regex(/^(user|runner|token|restore|system):[A-Za-z0-9_.:-]{1,128}$/, "actor is kind:id");
/** What an entry is about: `<kind>:<id>`, e.g. `database:db_1`, `restore:rs_1`, `key:checkpoint`. */
export const Subject = z.string().regex(/^[a-z]+:[A-Za-z0-9_.:+-]{1,256}$/, "subject is kind:id");

const Envelope = {
  v: z.literal(LOG_ENTRY_VERSION),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  at: Instant,
  actor: Actor,
  subject: Subject,
};

/** A log entry: `{v, seq, type, at, actor, subject, data}`, discriminated by `type`. */
export const LogEntrySchema = z.discriminatedUnion(
  "type",
  EVENT_TYPES.map((t) => z.strictObject({ ...Envelope, type: z.literal(t), data: EventData[t] })) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
  ],
);

/** A log entry of a given type. */
export type LogEntryOf<T extends EventType> = {
  v: typeof LOG_ENTRY_VERSION;
  seq: number;
  type: T;
  at: string;
  actor: string;
  subject: string;
  data: EventDataOf<T>;
};
/** Any log entry. */
export type LogEntry = { [T in EventType]: LogEntryOf<T> }[EventType];

/** Why bytes are not a valid log entry. */
export type EntryErrorCode = "not-canonical" | "invalid-entry";

/** The exact bytes stored (and hashed into the Merkle leaf) for an entry: its JCS encoding. */
export function encodeEntry(entry: LogEntry): Uint8Array {
  return canonicalBytes(entry);
}

/** Checks an entry object against the schema of its type. */
export function validateEntry(value: unknown): Result<LogEntry, "invalid-entry"> {
  const parsed = LogEntrySchema.safeParse(value);
  if (!parsed.success) return err("invalid-entry", describeIssue(parsed.error));
  return ok(parsed.data as LogEntry);
}

/** Parses stored entry bytes: they must be canonical JSON and match the schema of their type. */
export function decodeEntry(bytes: Uint8Array): Result<LogEntry, EntryErrorCode> {
  const json = parseCanonical(bytes);
  if (!json.ok) return err("not-canonical", `entry is not canonical JSON (${json.code})`);
  return validateEntry(json.value);
}
