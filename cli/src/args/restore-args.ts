import { err, Id, ok, policyFromVkeys, type Result } from "@walwarden/verifier";
import { z } from "zod";
import { ApiUrl, ObjectName } from "./common-args.js";
import { describeFlagIssues } from "./flag-issues.js";
import { defaultJobs } from "./jobs.js";

export { defaultJobs } from "./jobs.js";

const Jobs = z
  .string()
  .regex(/^\d+$/, "a whole number of parallel pg_restore jobs, e.g. 4")
  .transform(Number)
  .pipe(z.number().int().min(1, "at least 1").max(64, "at most 64"));

const Keys = z.array(z.string()).superRefine((vkeys, ctx) => {
  if (vkeys.length === 0) return;
  const policy = policyFromVkeys(vkeys);
  if (!policy.ok) return void ctx.addIssue({ code: "custom", message: policy.message });
  if (policy.value.checkpointKeys.length === 0)
    ctx.addIssue({
      code: "custom",
      message:
        "pin a checkpoint key too (a vkey whose name ends in /checkpoint): without it the backup's log entry cannot be checked",
    });
  if (policy.value.manifestKeys.length === 0)
    ctx.addIssue({
      code: "custom",
      message:
        "pin a manifest key too (a vkey whose name ends in /manifest): without it the manifest cannot be checked",
    });
});

/**
 * A one-time restore token as the wire's RestoreSecret defines it (`wwo_` and 43 base64url characters), here
 * without loading the wire's schemas (the claim waits for the flags; restore-args.test.ts checks that
 * this and RestoreSecret agree). The Worker is the authority: a well-formed token it does not know is refused there.
 */
export const RESTORE_TOKEN = /^wwo_[A-Za-z0-9_-]{43}$/;

/** The raw options of `walwarden restore` as commander hands them over. */
const RestoreArgsSchema = z.strictObject({
  token: z
    .string({ error: "is required (the one-time token shown when the restore was issued)" })
    .refine(
      (t) => RESTORE_TOKEN.test(t),
      "not a restore token (wwo_ and 43 more characters, as shown when the restore was issued)",
    ),
  org: z.string({ error: "is required (your organization's id, in the issued command)" }).pipe(Id),
  api: z.string({ error: "is required (the Walwarden API URL, in the issued command)" }).pipe(ApiUrl),
  target: z.string().min(1, "an empty connection string").optional(),
  jobs: Jobs.optional(),
  clean: z.boolean().default(false),
  schema: z.array(ObjectName).max(1000, "at most 1000").default([]),
  table: z.array(ObjectName).max(1000, "at most 1000").default([]),
  dryRun: z.boolean().default(false),
  keepFile: z.union([z.boolean(), z.string().min(1, "an empty directory name")]).optional(),
  downloadDir: z.string().min(1, "an empty directory name").optional(),
  key: Keys.default([]),
  pgBinDir: z.array(z.string().min(1, "an empty directory name")).default([]),
  json: z.boolean().default(false),
});

/** A validated `walwarden restore`. */
export interface RestoreOptions {
  token: string;
  orgId: string;
  /** The API's base URL, without a trailing slash. */
  api: string;
  /** A libpq URI or keyword/value string; undefined: libpq's environment (PGHOST, PGUSER, PGSERVICE…). */
  target: string | undefined;
  jobs: number;
  clean: boolean;
  schemas: string[];
  tables: string[];
  dryRun: boolean;
  /** Keep the downloaded file after the restore. */
  keepFile: boolean;
  /** Where to download (undefined: a fresh temporary directory). */
  downloadDir: string | undefined;
  /** --key: the only keys to trust; empty means the keys pinned for the API (trust on first use). */
  keys: string[];
  /** Where to look for pg_restore first. */
  pgBinDirs: string[];
  json: boolean;
}

/** Validates `walwarden restore`'s options; the error lists every bad flag as `--flag: what is wrong`. */
export function parseRestoreArgs(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Result<RestoreOptions, "usage"> {
  const parsed = RestoreArgsSchema.safeParse(raw);
  if (!parsed.success) return err("usage", describeFlagIssues(parsed.error));
  const a = parsed.data;
  const keepDir = typeof a.keepFile === "string" ? a.keepFile : undefined;
  if (keepDir !== undefined && a.downloadDir !== undefined && keepDir !== a.downloadDir)
    return err(
      "usage",
      "--keep-file: give the directory once (--keep-file DIR, or --download-dir DIR with --keep-file)",
    );
  const pgBinDirs = a.pgBinDir.length ? a.pgBinDir : (env.WALWARDEN_PG_BIN_DIRS ?? "").split(":").filter(Boolean);
  return ok({
    token: a.token,
    orgId: a.org,
    api: a.api,
    target: a.target,
    jobs: a.jobs ?? defaultJobs(),
    clean: a.clean,
    schemas: a.schema,
    tables: a.table,
    dryRun: a.dryRun,
    keepFile: a.keepFile !== undefined && a.keepFile !== false,
    downloadDir: keepDir ?? a.downloadDir,
    keys: a.key,
    pgBinDirs,
    json: a.json,
  });
}
