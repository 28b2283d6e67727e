// What s3rver lacks and the retention tests need, emulated in the fault proxy (fault-proxy.ts, `emulate`):
// S3 Object Lock (a retain-until and a legal hold per object, from PutObject's lock headers,
// PutObjectRetention and PutObjectLegalHold; GetObjectRetention and GetObjectLegalHold answer them; a
// DeleteObject of a protected object is refused) and, optionally, versioning (a version id per write,
// HEAD/GET/DELETE of another version, a delete without a version leaving a delete marker). Everything
// else goes to s3rver unchanged. It keeps one current version per key: enough for the runner's checks,
// not a full versioned store.
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FaultAction, ProxiedRequest } from "./fault-types.js";

/** An object's Object Lock retention, as S3 keeps it. */
export interface EmulatedRetention {
  mode: "GOVERNANCE" | "COMPLIANCE";
  /** An ISO instant. */
  retainUntil: string;
}

/** A retention the emulation was asked to set, in order: from PutObject's headers or PutObjectRetention's body. */
export interface RetentionWrite extends EmulatedRetention {
  key: string;
  via: "PutObject" | "CreateMultipartUpload" | "PutObjectRetention";
  /** Whether the request carried x-amz-bypass-governance-retention. */
  bypass: boolean;
}

/** What to emulate, for one bucket. */
export interface EmulationOptions {
  bucket: string;
  /** Whether the bucket has an Object Lock configuration (default true); false answers as S3 does for a bucket without. */
  objectLock?: boolean;
  /** Versioning on: every write gets a version id (default false). */
  versioning?: boolean;
}

/** The emulated state, which tests read and change. */
export interface ObjectLockEmulation {
  bucket: string;
  /** Whether the bucket has an Object Lock configuration; false: 400 InvalidRequest to the lock operations. */
  objectLock: boolean;
  /** Retention by key (the current version's). */
  retention: Map<string, EmulatedRetention>;
  /** Keys whose legal hold is ON. */
  legalHolds: Set<string>;
  /** The current version id by key, when versioning is on (null: off). */
  versions: Map<string, string> | null;
  /** Keys hidden by a delete marker (a DeleteObject without a version on a versioned bucket). */
  deleteMarkers: Set<string>;
  /** Every retention set, in order. */
  writes: RetentionWrite[];
  /** Deletes refused because the object was protected: key and why. */
  refusedDeletes: { key: string; reason: "retention" | "legal-hold" }[];
  /** The answer to a request of the emulated bucket, or undefined to forward it unchanged. */
  handle(req: IncomingMessage, info: ProxiedRequest): FaultAction | undefined;
}

/** The op names of the lock subresources s3Operation does not tell apart (it calls them GetObject / PutObject). */
export function lockOperation(method: string, query: URLSearchParams): string | undefined {
  if (method === "GET" && query.has("retention")) return "GetObjectRetention";
  if (method === "GET" && query.has("legal-hold")) return "GetObjectLegalHold";
  if (method === "PUT" && query.has("legal-hold")) return "PutObjectLegalHold";
  return undefined;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

function xmlText(body: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1];
}

function error(status: number, code: string, message: string): FaultAction {
  return { status, code, message };
}

function reply(body: string, headers: Record<string, string> = {}): FaultAction {
  return { action: "reply", status: 200, headers: { "content-type": "application/xml", ...headers }, body };
}

/** A fresh version id, S3-like (opaque). */
function newVersion(): string {
  return randomBytes(12).toString("base64url");
}

/** Starts an emulation of Object Lock (and versioning, if asked) for one bucket. */
export function objectLockEmulation(o: EmulationOptions): ObjectLockEmulation {
  const e: ObjectLockEmulation = {
    bucket: o.bucket,
    objectLock: o.objectLock ?? true,
    retention: new Map(),
    legalHolds: new Set(),
    versions: o.versioning ? new Map() : null,
    deleteMarkers: new Set(),
    writes: [],
    refusedDeletes: [],
    handle,
  };
  const missingConfig = () => error(400, "InvalidRequest", "Bucket is missing Object Lock Configuration");

  function lockFromHeaders(info: ProxiedRequest): EmulatedRetention | undefined {
    const mode = info.headers["x-amz-object-lock-mode"];
    const until = info.headers["x-amz-object-lock-retain-until-date"];
    if ((mode !== "GOVERNANCE" && mode !== "COMPLIANCE") || typeof until !== "string") return undefined;
    return { mode, retainUntil: new Date(until).toISOString() };
  }

  /** The version a request names that is not the current one (versioning on), if it does. */
  function otherVersion(key: string, query: Record<string, string>): boolean {
    const asked = query.versionId;
    return e.versions !== null && asked !== undefined && asked !== (e.versions.get(key) ?? "null");
  }

  function versionHeader(key: string): Record<string, string> {
    const v = e.versions?.get(key);
    return v ? { "x-amz-version-id": v } : {};
  }

  function handle(_req: IncomingMessage, info: ProxiedRequest): FaultAction | undefined {
    const [, bucket, ...rest] = info.path.split("/");
    if (bucket !== e.bucket || rest.length === 0) return undefined;
    const key = decodeURIComponent(rest.join("/"));
    const bypass = info.headers["x-amz-bypass-governance-retention"] !== undefined;
    switch (info.op) {
      case "GetObjectRetention": {
        if (!e.objectLock) return missingConfig();
        if (otherVersion(key, info.query)) return error(404, "NoSuchVersion", "The specified version does not exist.");
        const r = e.retention.get(key);
        if (!r)
          return error(
            404,
            "NoSuchObjectLockConfiguration",
            "The specified object does not have a ObjectLock configuration",
          );
        return reply(
          `${XML_HEAD}<Retention ${NS}><Mode>${r.mode}</Mode><RetainUntilDate>${r.retainUntil}</RetainUntilDate></Retention>`,
        );
      }
      case "GetObjectLegalHold": {
        if (!e.objectLock) return missingConfig();
        if (otherVersion(key, info.query)) return error(404, "NoSuchVersion", "The specified version does not exist.");
        // An object that never had a hold nor a retention has no lock configuration at all (as MinIO answers).
        if (!e.legalHolds.has(key) && !e.retention.has(key))
          return error(
            404,
            "NoSuchObjectLockConfiguration",
            "The specified object does not have a ObjectLock configuration",
          );
        return reply(
          `${XML_HEAD}<LegalHold ${NS}><Status>${e.legalHolds.has(key) ? "ON" : "OFF"}</Status></LegalHold>`,
        );
      }
      case "PutObjectRetention":
      case "PutObjectLegalHold": {
        if (!e.objectLock) return missingConfig();
        const op = info.op;
        return {
          action: "reply",
          answer: (body) => {
            const text = body.toString("utf8");
            if (op === "PutObjectLegalHold") {
              if (xmlText(text, "Status") === "ON") e.legalHolds.add(key);
              else e.legalHolds.delete(key);
              return { status: 200 };
            }
            const mode = xmlText(text, "Mode");
            const until = xmlText(text, "RetainUntilDate");
            if ((mode !== "GOVERNANCE" && mode !== "COMPLIANCE") || !until)
              return { status: 400, code: "MalformedXML", message: "no Mode and RetainUntilDate" };
            const r: EmulatedRetention = { mode, retainUntil: new Date(until).toISOString() };
            e.writes.push({ key, via: "PutObjectRetention", bypass, ...r });
            e.retention.set(key, r);
            return { status: 200 };
          },
        };
      }
      case "PutObject":
      case "CreateMultipartUpload": {
        if (info.headers["x-amz-copy-source"]) return undefined;
        const lock = lockFromHeaders(info);
        if (lock && !e.objectLock) return missingConfig();
        // A new current version: its own retention (or none), no hold, visible again.
        if (lock) {
          e.writes.push({ key, via: info.op, bypass, ...lock });
          e.retention.set(key, lock);
        } else e.retention.delete(key);
        e.legalHolds.delete(key);
        e.deleteMarkers.delete(key);
        if (info.op === "PutObject" && e.versions) {
          e.versions.set(key, newVersion());
          return { action: "forward", headers: versionHeader(key) };
        }
        return undefined;
      }
      case "CompleteMultipartUpload": {
        if (!e.versions) return undefined;
        e.versions.set(key, newVersion());
        return { action: "forward", headers: versionHeader(key) };
      }
      case "HeadObject":
      case "GetObject": {
        if (otherVersion(key, info.query))
          return info.op === "HeadObject"
            ? { action: "reply", status: 404 }
            : error(404, "NoSuchVersion", "The specified version does not exist.");
        if (e.deleteMarkers.has(key) && info.query.versionId === undefined)
          return info.op === "HeadObject"
            ? { action: "reply", status: 404, headers: { "x-amz-delete-marker": "true" } }
            : error(404, "NoSuchKey", "The specified key does not exist.");
        return e.versions ? { action: "forward", headers: versionHeader(key) } : undefined;
      }
      case "DeleteObject": {
        if (e.versions && info.query.versionId === undefined) {
          // S3 only hides the bytes behind a delete marker, lock or no lock.
          e.deleteMarkers.add(key);
          return { action: "reply", status: 204, headers: { "x-amz-delete-marker": "true" } };
        }
        // Deleting a version that is not the current one: that version goes (nothing of it is emulated).
        if (otherVersion(key, info.query)) return { action: "reply", status: 204 };
        const r = e.retention.get(key);
        const retained =
          r !== undefined && Date.parse(r.retainUntil) > Date.now() && !(r.mode === "GOVERNANCE" && bypass);
        if (retained || e.legalHolds.has(key)) {
          e.refusedDeletes.push({ key, reason: retained ? "retention" : "legal-hold" });
          return error(403, "AccessDenied", "Access Denied because object protected by object lock.");
        }
        e.retention.delete(key);
        e.versions?.delete(key);
        return undefined;
      }
      default:
        return undefined;
    }
  }
  return e;
}
