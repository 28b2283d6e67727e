// Shapes of the API's answers the dashboard reads (worker/src/routes/*.ts are the source of truth).

/** A user's role: viewer reads, operator also queues backups and issues restores, admin manages. */
export type Role = "viewer" | "operator" | "admin";

/** GET /v1/auth/me. */
export interface Me {
  principal: { kind: "user" | "token"; id: string; orgId: string; role: Role; email?: string };
  org: { id: string; name: string } | null;
}

/** A page of a list route, newest first. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A database's recovery point against its target. */
export type RpoStatus = "ok" | "at-risk" | "breached" | "no-target";

/** One line of GET /v1/rpo. */
export interface DatabaseRpo {
  databaseId: string;
  name: string;
  provider: string;
  targetRpoMinutes: number | null;
  lastBackup: { id: string; completedAt: string; sizeBytes: number; sha256: string; manifestSha256: string } | null;
  ageSeconds: number | null;
  status: RpoStatus;
}

/** GET /v1/rpo. */
export interface RpoSummary {
  at: string;
  counts: Record<RpoStatus, number>;
  databases: DatabaseRpo[];
}

/** A completed backup (GET /v1/backups). */
export interface Backup {
  id: string;
  databaseId: string;
  jobId: string;
  runnerId: string;
  artifactUri: string;
  sha256: string;
  sizeBytes: number;
  manifestSha256: string;
  logSeq: number;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number;
}

/** GET /v1/backups/:id: the backup with its signed manifest, a fresh inclusion proof and the checkpoint it is for. */
export interface BackupDetail extends Backup {
  envelope: { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] };
  proof: { v?: number; leafIndex: number; treeSize: number; hashes: string[] };
  checkpoint: string;
}

/** A registered runner (GET /v1/runners). */
export interface Runner {
  id: string;
  name: string;
  createdAt: string | null;
  lastSeenAt: string | null;
  version: string | null;
  revokedAt: string | null;
}

/** A backup job (GET /v1/jobs). */
export interface Job {
  id: string;
  databaseId: string;
  status: "queued" | "leased" | "completing" | "succeeded" | "failed";
  attempt: number;
  maxAttempts: number;
  backupId: string | null;
  lastError: string | null;
  createdAt: string | null;
  finishedAt: string | null;
  progress: { phase: string; bytes: number; at: string | null } | null;
}

/** A restore's state (the state machine in verifier/src/log/restore-state.ts). */
export type RestoreState = import("@walwarden/verifier").RestoreState;

/** A restore in a list (GET /v1/restores). */
export interface Restore {
  id: string;
  backupId: string;
  databaseId: string;
  state: RestoreState;
  issuedBy: string;
  issuedAt: string | null;
  expiresAt: string | null;
  claimedAt: string | null;
  finishedAt: string | null;
  dryRun: boolean | null;
  failure: { stage: string; reason: string } | null;
}

/** One logged transition of a restore, as listed and as streamed (`event: transition`): the wire's schema. */
export type Transition = typeof import("@walwarden/verifier/wire").TransitionEventSchema["_zod"]["output"];

/** Live numbers from the CLI (`event: progress`): streamed, never logged. */
export interface Progress {
  phase: string;
  bytes: number;
  totalBytes: number | null;
  bytesPerSecond: number | null;
  detail?: string;
  at?: string;
}

/** GET /v1/restores/:id: the restore with every logged transition. */
export interface RestoreDetail extends Restore {
  transitions: Transition[];
}

/** POST /v1/restores: the one-time token and the command are in this answer only. */
export interface IssuedRestore {
  restoreId: string;
  token: string;
  expiresAt: string;
  command: string;
}

/** GET /v1/log/entries: exact stored entry texts. */
export interface LogEntriesPage {
  entries: string[];
  nextAfter: number | null;
}

/** GET /.well-known/walwarden/keys. */
export interface PublishedKeys {
  origin: string;
  checkpoint: string[];
  manifest: string[];
}
