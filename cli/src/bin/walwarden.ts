import { Command, CommanderError } from "commander";
import { defaultJobs } from "../args/jobs.js";
import type { CliContext } from "../commands/context.js";
import { processIo } from "../io.js";
import { CLI_VERSION } from "../version.js";

/** Exit codes: success, a failure (said in one paragraph), bad usage, interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const RESTORE_HELP = `
The target: --target (a postgres:// URI or libpq key=value string), else libpq's environment
(PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE with a service file). Put the password in
PGPASSWORD, ~/.pgpass or a service file rather than in --target: it is never printed or sent anywhere,
and pg_restore gets it through its environment, never its command line.

Before the token is used: the target must be reachable and empty (no schema but public, no table,
view, sequence, function or type outside the system schemas; see the README), unless --clean or
--dry-run; pg_restore and zstd must be installed; the API's keys must be the pinned ones.
Nothing is written to the target until the download's SHA-256, the manifest's signature and the
backup's place in the log verified against the pinned keys (or --key).

Exit status: 0 restored (or verified, with --dry-run), 1 failed (the message says what and what to do),
2 bad usage, 130 interrupted.`;

/** Runs `walwarden` with its arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], ctx: CliContext = { io: processIo(), env: process.env }): Promise<number> {
  const { io } = ctx;
  // verify hands its arguments to walwarden-verify unchanged (its own parser and help).
  // Each command's code loads when it runs (a restore's start-up time is what a person waits for first).
  if (argv[0] === "verify") return (await import("../commands/verify-command.js")).verifyCommand(argv.slice(1), ctx);

  let code: number = EXIT.ok;
  const program = new Command()
    .name("walwarden")
    .description(
      "Walwarden's operator CLI: restore a backup from a one-time token, verifying it before touching the target.",
    )
    .version(CLI_VERSION, "--version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(walwarden <command> --help shows the usage)");

  program
    .command("restore")
    .description(
      "claim a restore with its one-time token, download and verify the backup, then pg_restore it into the target",
    )
    .option("--token <token>", "the one-time restore token (wwo_…), shown once when the restore was issued")
    .option("--org <orgId>", "your organization's id (in the issued command)")
    .option("--api <url>", "the Walwarden API URL (in the issued command)")
    .option(
      "--target <conn>",
      "where to restore: a postgres:// URI or libpq key=value string (default: libpq's PG* environment)",
    )
    .option("--jobs <n>", `parallel pg_restore jobs (default: ${defaultJobs()}, one per core up to 4)`)
    .option(
      "--clean",
      "drop the backup's objects before re-creating them (pg_restore --clean --if-exists); allows a non-empty target",
    )
    .option("--schema <name>", "restore only this schema (repeatable; exact name)", collect)
    .option(
      "--table <name>",
      "restore only this table (repeatable; exact name; without its indexes, as pg_restore --table)",
      collect,
    )
    .option("--dry-run", "download and verify only; never touches the target")
    .option(
      "--keep-file [dir]",
      "keep the downloaded file, in dir (default: --download-dir, else the current directory)",
    )
    .option(
      "--download-dir <dir>",
      "where to download and decompress (default: a temporary directory, removed afterwards)",
    )
    .option(
      "--key <vkey>",
      "trust only this verifier key (repeatable; a /checkpoint and a /manifest key); default: the keys pinned for --api",
      collect,
    )
    .option(
      "--pg-bin-dir <dir>",
      "look for pg_restore here first (repeatable; also WALWARDEN_PG_BIN_DIRS, :-separated)",
      collect,
    )
    .option("--json", "print the summary (or the failure) as one JSON object on stdout")
    .addHelpText("after", RESTORE_HELP)
    .action(async (opts: Record<string, unknown>) => {
      code = await (await import("../commands/restore-command.js")).restoreCommand(opts, ctx);
    });

  program
    .command("keys")
    .description(
      "show the keys --api publishes next to the ones pinned here; pin them deliberately (after an announced rotation) or forget them",
    )
    .argument("[action]", "show (default), pin or forget")
    .option("--api <url>", "the Walwarden API URL")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      "\nPinned keys live in keys.json in the config directory (WALWARDEN_CONFIG_DIR, else ~/.config/walwarden on Linux).\nExit status: 0 ok (show: the published keys are the pinned ones, or none are pinned), 1 they differ or cannot be fetched, 2 bad usage.",
    )
    .action(async (action: string | undefined, opts: Record<string, unknown>) => {
      code = await (await import("../commands/keys-command.js")).keysCommand(action, opts, ctx);
    });

  program.addCommand(
    new Command("verify")
      .description(
        "check a bundle, manifest or walk-away kit offline (walwarden-verify; --api URL uses the keys pinned for it)",
      )
      .helpOption(false)
      .allowUnknownOption()
      .argument("[args...]"),
  );

  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw e;
  }
  return code;
}
