import envPaths from "env-paths";

/** The CLI's configuration directory: WALWARDEN_CONFIG_DIR, else the platform's (~/.config/walwarden on Linux). */
export function configDir(env: NodeJS.ProcessEnv): string {
  return env.WALWARDEN_CONFIG_DIR || envPaths("walwarden", { suffix: "" }).config;
}
