import { parseArgs } from "node:util";
import { type BundleLimits, DEFAULT_BUNDLE_LIMITS } from "../bundle/bundle-limits.js";
import { policyFromVkeys, runnerKeysFromVkeys, witnessKeysFromVkeys } from "../bundle/policy.js";
import { toHex } from "../bytes/hex.js";
import { drillReceiptReport } from "../drill/drill-report.js";
import type { Report } from "../bundle/report.js";
import { verifyBundle } from "../bundle/verify-bundle.js";
import { backupKitReport } from "../manifest/kit-report.js";
import { manifestReport } from "../manifest/manifest-report.js";
import { nativeEd25519Verify } from "../node/native-ed25519.js";
import { nativeSha256 } from "../node/native-sha256.js";
import { parallelBatchChecker } from "../node/parallel-batch-checker.js";
import { hashFile, parseJson, readBytes, readText, type Io } from "./io.js";
import { parseSize } from "./parse-size.js";
import { readRegularFile } from "./read-regular-file.js";
import { isKitManifestPath, readKit } from "./read-kit.js";
import { bucketCommand } from "./bucket-command.js";

export type { Io } from "./io.js";

/** The commands. */
const COMMANDS = ["bundle", "manifest", "kit", "bucket", "drill"] as const;

/** Exit codes: verified, not verified, usage or I/O error. */
export const EXIT = { verified: 0, notVerified: 1, usage: 2 } as const;

const HELP = `walwarden-verify: check Walwarden artifacts offline, against keys you pinned.

Usage:
  walwarden-verify bundle <file.zip> --key <vkey> [--key <vkey> …] [--origin <log origin>]
                          [--previous <checkpoint.txt> …] [--max-zip-size <size>]
                          [--max-inflated-size <size>] [--max-file-size <size>] [--json]
  walwarden-verify manifest <envelope.json> --key <vkey> [--key …] [--artifact <file>] [--json]
  walwarden-verify kit <dir/backupId.manifest.json> --key <vkey> [--key …] [--origin <log origin>]
                       [--witness <vkey> … [--witness-quorum M]] [--no-artifact] [--json]
  walwarden-verify bucket <dir> --key <vkey> [--key …] [--origin <log origin>]
                          [--witness <vkey> … [--witness-quorum M]] [--no-artifact] [--json]
  walwarden-verify drill <receipt.json> --key <runner vkey> [--key …] [--artifact <file>] [--json]
  walwarden-verify --help

Keys are C2SP verifier keys (name+keyid+base64). A key whose name ends in /checkpoint verifies the
log's checkpoints; one ending in /manifest verifies manifests and bundle indexes. Take them from a
source you trust (for example demo-output/keys.txt or your deployment's /.well-known/walwarden/keys,
saved when you first set it up), never from the artifact you are checking.

kit checks the walk-away kit the runner writes next to a dump: the manifest and, beside it,
<backupId>.entry.json, .proof.json, .checkpoint.txt and the dump named by the manifest's s3.key. Pin
both keys: the manifest key signs the manifest, the checkpoint key the log the entry is proven to be in.
With --witness, the kit's checkpoint must carry the cosignature of your runner (it witnesses each kit's
checkpoint before it writes the kit) or of the witnesses you name.

bucket is the walk-away audit of a local copy of the runner's prefix, made with stock tools:
  aws s3 sync s3://<bucket>/<prefix> <dir>
It verifies every kit in it as kit does (each dump that is in the copy is hashed), checks that the
checkpoints the runner anchored under checkpoints/<runnerId>/ are signed and form one consistent chain
(each proven to extend the one before), that every kit's checkpoint is one of them, that the runner
refused no kit's checkpoint, and that every dump has a kit whose signed manifest names it. It cannot
see what is not in the copy (a dump deleted with its kit, Object Lock state): compare an evidence bundle.

drill checks a restore-drill receipt (<backupId>.drill-<drillId>.json next to the kit, or a line of a
bundle's drills.jsonl) against the runner keys you pinned (<deployment>/runner/<runnerId>, from
GET /v1/runners, or the vkey of the runner.s runner.key_registered log line). It prints the receipt's SHA-256 to compare
with the log's receiptSha256. An authentic receipt of a failed drill exits 1 with drill.outcome failed
and drill.receipt passed; a forgery fails drill.receipt.

--origin       the log origin the checkpoint must be for (<deployment>/log/<orgId>); without it, kit
               and bucket accept any origin that ends in /log/<the manifest's orgId>
--previous     a signed checkpoint you already hold: the bundle must not fork from or roll back behind it
--runner-key   bundle: a runner key you pinned; every drill receipt in the bundle must be signed by one
               of them (without it, the key the log recorded for each drill is used)
--witness      bundle, kit, bucket: a witness you require (repeatable): its cosigner vkey, or your
               runner's own vkey from GET /v1/runners (the runner witnesses its org's log); the
               bundle's head checkpoint, the kit's checkpoint, or every kit's and anchored checkpoint
               of the bucket must carry the cosignatures of --witness-quorum of them
--witness-quorum  how many of the --witness keys must have cosigned (default 1)
--max-zip-size       bundle: the largest zip read (default 1GiB); anything but a regular file
                     (a device, a FIFO, a directory) is refused before it is read
--max-inflated-size  bundle: the most its files may inflate to together (default 2GiB)
--max-file-size      bundle: the most one file may inflate to (default 1GiB)
                     Sizes are bytes, or with KiB, MiB, GiB. A zip that declares more, or compresses
                     a file larger than 1 MiB more than 200 times, or whose files inflate past the
                     sizes it declares or share bytes, is not verified (a zip bomb) and costs
                     little memory: about the zip plus what it declares
--artifact     the backup file itself: its SHA-256 must be the one the manifest (or the drill receipt) names
--no-artifact  kit, bucket: check without the dumps (the artifact check is skipped)
--json         print the report as JSON

Exit status: 0 verified, 1 not verified (the failed check is named), 2 usage or I/O error.
`;

/** Runs the CLI with arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv);
  if (typeof parsed === "string") return usage(io, parsed);
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === "help") {
    io.stdout(HELP);
    return EXIT.verified;
  }
  const [command, file, ...rest] = positionals;
  if (!COMMANDS.includes(command as (typeof COMMANDS)[number]))
    return usage(io, command ? `unknown command ${command}` : "no command given");
  if (!file) return usage(io, `${command} needs a ${command === "bucket" ? "directory" : "file"}`);
  if (rest.length) return usage(io, `unexpected arguments: ${rest.join(" ")}`);
  if (values.key.length === 0)
    return usage(io, "at least one --key is required (pin the keys; they are never read from the artifact)");
  if (command !== "manifest" && command !== "drill" && values.artifact)
    return usage(
      io,
      `--artifact goes with the manifest and drill commands${command === "kit" ? " (kit reads the dump next to the manifest)" : ""}`,
    );
  if (command !== "kit" && command !== "bucket" && values["no-artifact"])
    return usage(io, "--no-artifact goes with the kit command (and bucket)");
  if ((command === "manifest" || command === "drill") && values.origin)
    return usage(io, "--origin goes with the bundle, kit and bucket commands");
  if (command !== "bundle" && values.previous.length) return usage(io, "--previous goes with the bundle command");
  if (
    (command === "manifest" || command === "drill") &&
    (values.witness.length || values["witness-quorum"] !== undefined)
  )
    return usage(io, "--witness and --witness-quorum go with the bundle, kit and bucket commands");
  const witnesses = witnessKeysFromVkeys(values.witness);
  if (!witnesses.ok) return usage(io, `--witness: ${witnesses.message}`);
  const quorumText = values["witness-quorum"];
  const quorum = quorumText === undefined ? 1 : /^[1-9][0-9]{0,2}$/.test(quorumText) ? Number(quorumText) : Number.NaN;
  if (!Number.isInteger(quorum)) return usage(io, `--witness-quorum must be a whole number from 1, got ${quorumText}`);
  if (quorumText !== undefined && quorum > witnesses.value.length)
    return usage(
      io,
      `--witness-quorum ${quorum} needs at least ${quorum} --witness keys, got ${witnesses.value.length}`,
    );
  if (command !== "bundle" && values["runner-key"].length)
    return usage(
      io,
      `--runner-key goes with the bundle command${command === "drill" ? " (drill takes the runner's key as --key)" : ""}`,
    );
  const limits = bundleLimitFlags(values);
  if (typeof limits === "string") return usage(io, limits);
  const limitFlag = Object.keys(LIMIT_FLAGS).find((f) => values[f as keyof typeof LIMIT_FLAGS] !== undefined);
  if (command !== "bundle" && limitFlag) return usage(io, `--${limitFlag} goes with the bundle command`);
  if (command === "kit" && !isKitManifestPath(file))
    return usage(io, "kit needs the kit's <backupId>.manifest.json (its siblings are found next to it)");

  if (command === "drill") return drillCommand(file, values.key, values.artifact, values.json, io);

  const runnerKeys = runnerKeysFromVkeys(values["runner-key"]);
  if (!runnerKeys.ok) return usage(io, `--runner-key: ${runnerKeys.message}`);
  const previous: string[] = [];
  for (const p of values.previous) {
    const text = await readText(p, io);
    if (text === undefined) return EXIT.usage;
    previous.push(text);
  }
  const policy = policyFromVkeys(values.key, {
    ...(values.origin ? { origin: values.origin } : {}),
    previousCheckpoints: previous,
    ...(runnerKeys.value.length ? { runnerKeys: runnerKeys.value } : {}),
    ...(witnesses.value.length ? { witnesses: witnesses.value, witnessQuorum: quorum } : {}),
  });
  if (!policy.ok) return usage(io, policy.message);

  if (command === "bundle") {
    const maxZip = limits.maxZipBytes ?? DEFAULT_BUNDLE_LIMITS.maxZipBytes;
    const zip = await readRegularFile(file, maxZip, "--max-zip-size", io);
    if (!zip) return EXIT.usage;
    // The zip is held; its two large files stream through worker threads (entries, manifests), one per core.
    const batches = parallelBatchChecker();
    try {
      const report = await verifyBundle(zip, policy.value, {
        sha256: nativeSha256,
        ed25519: nativeEd25519Verify,
        batches,
        limits,
      });
      return printReport(report, values.json, io);
    } finally {
      await batches.close();
    }
  }

  if (command === "bucket") return bucketCommand(file, policy.value, values["no-artifact"], values.json, io);

  if (command === "kit") {
    const read = await readKit(file, policy.value.manifestKeys, values["no-artifact"], io);
    if (!read) return EXIT.usage;
    const report = backupKitReport(read.kit, policy.value, read.artifactSha256, {
      sha256: nativeSha256,
      ed25519: nativeEd25519Verify,
    });
    return printReport(report, values.json, io);
  }

  const text = await readText(file, io);
  if (text === undefined) return EXIT.usage;
  const envelope = parseJson(text);
  let artifactSha256: string | undefined;
  if (values.artifact) {
    artifactSha256 = await hashFile(values.artifact, io);
    if (!artifactSha256) return EXIT.usage;
  }
  const report = manifestReport(envelope, policy.value.manifestKeys, artifactSha256, nativeEd25519Verify);
  return printReport(report, values.json, io);
}

/** `walwarden-verify drill`: a receipt file against pinned runner keys, and optionally the artifact it restored. */
async function drillCommand(
  file: string,
  vkeys: string[],
  artifact: string | undefined,
  json: boolean,
  io: Io,
): Promise<number> {
  const keys = runnerKeysFromVkeys(vkeys);
  if (!keys.ok) return usage(io, keys.message);
  const bytes = await readBytes(file, io);
  if (!bytes) return EXIT.usage;
  let artifactSha256: string | undefined;
  if (artifact) {
    artifactSha256 = await hashFile(artifact, io);
    if (!artifactSha256) return EXIT.usage;
  }
  // The receipt's SHA-256 is of the bytes as stored (its JCS form), the same the log records.
  const envelope = parseJson(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes));
  const receiptSha256 = toHex(nativeSha256.digest(bytes));
  const report = drillReceiptReport(envelope, keys.value, receiptSha256, artifactSha256, nativeEd25519Verify);
  return printReport(report, json, io);
}

/** The parsed arguments, or parseArgs's complaint. */
function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        key: { type: "string", multiple: true, default: [] },
        origin: { type: "string" },
        previous: { type: "string", multiple: true, default: [] },
        "runner-key": { type: "string", multiple: true, default: [] },
        witness: { type: "string", multiple: true, default: [] },
        "witness-quorum": { type: "string" },
        artifact: { type: "string" },
        "no-artifact": { type: "boolean", default: false },
        "max-zip-size": { type: "string" },
        "max-inflated-size": { type: "string" },
        "max-file-size": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    return (e as Error).message;
  }
}

const LIMIT_FLAGS = {
  "max-zip-size": "maxZipBytes",
  "max-inflated-size": "maxTotalBytes",
  "max-file-size": "maxFileBytes",
} as const satisfies Record<string, keyof BundleLimits>;

/** The bundle limits the flags set, or what is wrong with one of them. */
function bundleLimitFlags(values: Partial<Record<keyof typeof LIMIT_FLAGS, string>>): Partial<BundleLimits> | string {
  const limits: Partial<BundleLimits> = {};
  for (const [flag, limit] of Object.entries(LIMIT_FLAGS) as [keyof typeof LIMIT_FLAGS, keyof BundleLimits][]) {
    const text = values[flag];
    if (text === undefined) continue;
    const size = parseSize(text);
    if (!size.ok) return `--${flag}: ${size.message}`;
    limits[limit] = size.value;
  }
  return limits;
}

function printReport(report: Report, json: boolean, io: Io): number {
  if (json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const c of report.checks)
      io.stdout(
        `${c.status === "pass" ? "ok  " : c.status === "fail" ? "FAIL" : "skip"}  ${c.name}${c.detail ? `: ${c.detail}` : ""}\n`,
      );
    io.stdout(
      report.verdict === "verified" ? "VERIFIED\n" : `NOT VERIFIED: check ${report.failed ?? "(none passed)"} failed\n`,
    );
  }
  return report.verdict === "verified" ? EXIT.verified : EXIT.notVerified;
}

function usage(io: Io, message: string): number {
  io.stderr(`walwarden-verify: ${message}\nRun walwarden-verify --help for usage.\n`);
  return EXIT.usage;
}
