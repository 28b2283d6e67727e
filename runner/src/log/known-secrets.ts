import type { RunnerConfig } from "../config/schema.js";
import { pgConnection } from "@walwarden/postgres";
import { pgTarget } from "../pg/connection.js";

/**
 * The secrets this runner holds, to redact verbatim from anything it logs or sends: the runner token, each
 * source database's connection string and password (from the URL, a keyword string, a service file or
 * PGPASSWORD), the drill scratch server's URL and password, and the bucket's secret key and session token (configured or from the environment).
 */
export function knownSecrets(config: RunnerConfig, env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>([config.token]);
  for (const db of Object.values(config.databases)) {
    if (db.url) out.add(db.url);
    const target = pgTarget(db, env);
    if (target.ok && target.value.password) out.add(target.value.password);
  }
  // The drill scratch server's URL and password (a drill target is a database too).
  if (config.drills.server) {
    out.add(config.drills.server);
    const scratch = pgConnection(config.drills.server, env, "walwarden-drill");
    if (scratch.ok && scratch.value.password) out.add(scratch.value.password);
  }
  for (const s of [
    config.bucket.secretAccessKey,
    config.bucket.sessionToken,
    env.PGPASSWORD,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
  ])
    if (s) out.add(s);
  return [...out];
}
