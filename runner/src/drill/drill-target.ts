import type { PgConnection } from "@walwarden/postgres";

/** A drill's throwaway target, ready for pg_restore. */
export interface DrillTarget {
  kind: "local" | "server";
  /** How pg_restore, the checks and the assertions reach the target database. */
  connection: PgConnection;
  /** The target server's version ("15.18"). */
  serverVersion: string;
  /** Removes the target (stops the cluster and removes its files, or drops the scratch database); never throws. */
  remove(): Promise<void>;
}

/**
 * Why a target could not be made: `refused` and `unusable` are about the configuration or the runner's
 * image (a failed receipt at phase `target`: retrying will not help), `unavailable` about resources
 * (a port, the disk, the server being down: the job is failed as retryable, without a receipt).
 */
export type TargetErrorCode = "refused" | "unusable" | "unavailable" | "interrupted";

/** The version text of `server_version` ("15.18 (Debian …)" → "15.18"). */
export function shortVersion(serverVersion: string): string {
  return serverVersion.split(" ")[0]!;
}
