import { Id } from "@walwarden/verifier";
import { ProviderSchema } from "@walwarden/verifier/wire";
import { z } from "zod";

/** A schema name for --schema / --exclude-schema: an exact name, never a pattern (so row counts cover exactly what pg_dump dumps). */
const SchemaName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[^\x00-\x1f"*?]+$/, "an exact schema name (no quotes, wildcards or control characters)");

/**
 * One source database. `url` is a libpq connection URI or keyword/value string; without it the runner
 * uses libpq's environment (PGHOST, PGUSER, PGPASSWORD, PGDATABASE, PGSERVICE with a service file).
 */
export const DatabaseConfigSchema = z.strictObject({
  url: z.string().min(1).optional(),
  /** Dump only these schemas (pg_dump --schema); empty means all the role can see. */
  schemas: z.array(SchemaName).max(1000).default([]),
  /** Leave these schemas out (pg_dump --exclude-schema). */
  excludeSchemas: z.array(SchemaName).max(1000).default([]),
  /** pg_dump --no-owner: a non-superuser role on Neon or Supabase cannot restore other roles' ownership. */
  noOwner: z.boolean().default(true),
  /** pg_dump --no-privileges: GRANTs name roles that the restore target may not have. */
  noPrivileges: z.boolean().default(true),
  /** Where it runs (the dashboard's provider names): `check` gives that platform's grants; unset, it guesses from the server's roles. */
  provider: ProviderSchema.optional(),
});
/** One source database as configured. */
export type DatabaseConfig = z.infer<typeof DatabaseConfigSchema>;

/** S3 Object Lock for every object the runner writes (the bucket must have Object Lock enabled). */
export const ObjectLockSchema = z.strictObject({
  mode: z.enum(["GOVERNANCE", "COMPLIANCE"]),
  retainDays: z.number().int().min(1).max(36500),
});

/** The customer's bucket. Credentials: explicit keys here, else the standard AWS chain (env, profile, IMDS, ECS, web identity). */
export const BucketConfigSchema = z.strictObject({
  bucket: z.string().min(3).max(63),
  region: z.string().min(1).max(64).default("us-east-1"),
  /** For S3-compatible stores (R2, MinIO, a local server): their endpoint URL. Omit for AWS S3. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Path-style addressing (bucket in the path): needed by MinIO and most S3-compatible stores. */
  forcePathStyle: z.boolean().default(false),
  /** Key prefix under which `<database>/<yyyy>/<mm>/<dd>/<backupId>.<ext>` is written. */
  prefix: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9!_.*'()/-]*$/, "letters, digits and ! _ . * ' ( ) / - only")
    .refine((p) => !p.split("/").some((s) => s === ".." || s === "."), "no . or .. segments")
    .default("walwarden"),
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  sessionToken: z.string().min(1).optional(),
  objectLock: ObjectLockSchema.optional(),
});
/** The bucket as configured. */
export type BucketConfig = z.infer<typeof BucketConfigSchema>;

/** Compression applied outside pg_dump (which runs with -Z0). */
export const CompressionSchema = z.strictObject({
  algorithm: z.enum(["zstd", "gzip", "none"]).default("zstd"),
  /** zstd 1–19 (default 2), gzip 1–9 (default 6). */
  level: z.number().int().min(1).max(19).optional(),
  /** zstd worker threads; 0 means one per core. */
  threads: z.number().int().min(0).max(64).default(0),
});

/**
 * Restore drills (SPEC §11): the runner restores a backup into a throwaway target, checks it and signs a
 * receipt with its own key. `local`: a cluster it starts (initdb, pg_ctl) with the newest server binaries
 * found; `server`: a scratch database it creates on a server you run for the purpose.
 */
export const DrillsConfigSchema = z.strictObject({
  /** false: the runner does not ask for drills (it claims backups only). */
  enabled: z.boolean().default(true),
  /** pg_restore --jobs. */
  jobs: z.number().int().min(1).max(64).default(2),
  local: z
    .strictObject({
      /** Where initdb, pg_ctl and postgres are looked for (default: /usr/lib/postgresql/<major>/bin). */
      binDirs: z.array(z.string().min(1)).max(32).default([]),
      /** Where drill clusters and decompressed archives go (default: <stateDir>/drills). */
      scratchDir: z.string().min(1).optional(),
    })
    .default({ binDirs: [] }),
  /**
   * A libpq URL of a scratch server for drills whose policy asks for a `server` target: the runner creates
   * `walwarden_drill_<drill id>` there and drops it afterwards. Never a source database's server.
   */
  server: z.string().min(1).optional(),
  /** The vkeys a kit must be signed with; empty: trust on first use of the API's published keys, pinned in stateDir. */
  trustedKeys: z.array(z.string().min(1)).max(32).default([]),
});
/** The drills section as configured. */
export type DrillsConfig = z.infer<typeof DrillsConfigSchema>;

/**
 * Retention (SPEC §12): whether the runner claims prune jobs, deleting the backups its database's policy
 * expired (after its checks). false: it never deletes a backup (the Worker's prune jobs wait for a runner that does).
 */
export const PruneConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
});

/** The whole runner configuration, after environment overrides. */
export const RunnerConfigSchema = z
  .strictObject({
    /** The Walwarden API (the Worker), e.g. https://api.walwarden.example. */
    api: z.url({ protocol: /^https?$/ }),
    /** The runner token shown once when the runner was created. */
    token: z
      .string()
      .min(32, "the runner token is at least 32 characters (it was shown once when the runner was created)"),
    databases: z.record(Id, DatabaseConfigSchema).refine((d) => Object.keys(d).length > 0, "at least one database"),
    bucket: BucketConfigSchema,
    compression: CompressionSchema.default({ algorithm: "zstd", threads: 0 }),
    drills: DrillsConfigSchema.default({ enabled: true, jobs: 2, local: { binDirs: [] }, trustedKeys: [] }),
    prune: PruneConfigSchema.default({ enabled: true }),
    /** Jobs run at once. */
    concurrency: z.number().int().min(1).max(16).default(1),
    /** Mean pause between claims when there is no work; each pause is jittered ±50 %. */
    pollSeconds: z.number().min(0.05).max(3600).default(15),
    /** Heartbeat period while a job runs (must be well under the Worker's lease, 120 s by default). */
    heartbeatSeconds: z.number().min(0.05).max(600).default(20),
    /** Where pg_dump binaries are looked for first (else /usr/lib/postgresql/<major>/bin and PATH). */
    pgBinDirs: z.array(z.string().min(1)).max(32).default([]),
    /** Local state (open multipart uploads to clean after a crash). */
    stateDir: z.string().min(1).default(".walwarden-runner"),
    /** Port of GET /healthz (0 picks one, -1 turns it off). */
    healthPort: z.number().int().min(-1).max(65535).default(8080),
    healthHost: z.string().min(1).default("0.0.0.0"),
    /** Open multipart uploads under the prefix older than this are aborted at start (another crashed runner's). */
    staleUploadHours: z
      .number()
      .min(1)
      .max(24 * 30)
      .default(24),
  })
  .refine((c) => c.heartbeatSeconds < 120, {
    message: "heartbeatSeconds must be under the Worker's 120 s lease",
    path: ["heartbeatSeconds"],
  });
/** The runner configuration. */
export type RunnerConfig = z.infer<typeof RunnerConfigSchema>;
