import type { NamedSigner, Result } from "@walwarden/verifier";
import type { PgRestoreBinary } from "@walwarden/postgres";
import type { BackupContext } from "../backup/run-backup.js";
import type { PruneJournal } from "../prune/prune-journal.js";
import type { DrillJournal } from "./drill-journal.js";
import type { KitKeys, KitKeysErrorCode } from "./kit-keys.js";

/** What drills need besides what backups need. */
export interface DrillRuntime {
  /** The runner key as registered (named as the Worker named it), or undefined while it is not registered. */
  signer(): NamedSigner | undefined;
  /** Registers the runner key if it is not yet (rate-limited); true once it is. */
  ensureKey(): Promise<boolean>;
  /** The runner's org as its key registration answered it (undefined before). */
  orgId(): string | undefined;
  journal: DrillJournal;
  /** Where drill work dirs go. */
  scratchDir: string;
  /** The keys kits are verified with, for an org. */
  kitKeys(orgId: string): Promise<Result<KitKeys, KitKeysErrorCode>>;
  /** Installed pg_restore binaries. */
  pgRestores(): Promise<PgRestoreBinary[]>;
}

/** What the runner's jobs need: backups' context, the drills' and the prunes' journal. */
export interface RunnerContext extends BackupContext {
  drill: DrillRuntime;
  /** What prunes have begun deleting (SPEC §12), so a restarted runner reports it. */
  pruneJournal: PruneJournal;
}
