// The limits that keep one restore's live viewers from being monopolised or from holding memory: the
// Worker names the caller to the RestoreSession in VIEWER_HEADER, and the session's SseHub counts streams
// per caller. worker/README.md ("Live progress limits") documents them; worker/test/sse-limits.test.ts proves them.

/**
 * Live streams one principal may hold on one restore: a user (all their sessions together, since a user can
 * sign in again for a new session) or one API token. A dashboard tab needs one; four leaves room for a few
 * tabs and a reconnect that overlaps the stream it replaces.
 */
export const MAX_STREAMS_PER_PRINCIPAL = 4;

/**
 * Unsent bytes a viewer may fall behind by before it is dropped. About 150 full progress events (the CLI
 * sends at most a few a second), so only a reader that stopped reading passes it; it reconnects with
 * Last-Event-ID and is replayed every transition it missed.
 */
export const MAX_BACKLOG_BYTES = 64 * 1024;

/** Retry-After of a refusal past the per-principal cap: a closed stream's slot is free within a second or two. */
export const PER_PRINCIPAL_RETRY_AFTER_SECONDS = 5;

/** Retry-After of a refusal past the restore's total cap. */
export const TOTAL_RETRY_AFTER_SECONDS = 10;

/** The header the Worker names the caller in (`user:<id>` or `token:<id>`) on its request to the session; only the Worker can reach a Durable Object, so it is trusted. */
export const VIEWER_HEADER = "x-walwarden-viewer";
