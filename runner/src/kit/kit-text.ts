import { kitObjectKey, type KitFile } from "@walwarden/verifier";

/** What the kit's README and script need to know about one backup. */
export interface KitFacts {
  backupId: string;
  databaseId: string;
  /** The dump's object key; every kit file name derives from it (the verifier's kit layout). */
  artifactKey: string;
  compression: "zstd" | "gzip" | "none";
  pgDumpVersion: string;
  serverVersion: string;
  completedAt: string;
  sha256: string;
  /** The vkeys the Worker published when this was written (a hint to compare with your pinned copy, never a trust anchor). */
  publishedKeys: string[];
  /** How the runner witnessed the kit's checkpoint (SPEC §10 "Witnessed kits"); unset: not said. */
  witness?: "cosigned" | "refused" | "unwitnessed";
}

/** What the README says of the checkpoint's witnessing. */
function witnessText(f: KitFacts): string {
  const refusal = `${f.backupId}.witness-refused.json`;
  if (f.witness === "cosigned")
    return `The runner witnessed the checkpoint before it wrote this kit: it carries the runner's cosignature, which
\`--witness '<runner vkey>'\` (your runner's vkey, from the Runners screen or \`GET /v1/runners\`) requires.`;
  if (f.witness === "refused")
    return `**The runner refused this checkpoint** as your organisation's witness: it does not extend the history the
runner had accepted (\`${refusal}\` says how). The backup is signed and logged, but check the log with an
evidence bundle before you trust its history; \`--witness\` fails this kit.`;
  if (f.witness === "unwitnessed")
    return "The runner did not witness this checkpoint (see its log, `kit.unwitnessed`): `--witness` fails this kit.";
  return "";
}

/** The file name (in the artifact's folder) of one kit file, or of the artifact itself. */
function fileName(f: KitFacts, file: KitFile | "artifact"): string {
  const key = file === "artifact" ? f.artifactKey : kitObjectKey(f.artifactKey, file);
  return key.slice(key.lastIndexOf("/") + 1);
}

/** The uncompressed archive pg_restore reads: the artifact itself when it is not compressed. */
function dumpFile(f: KitFacts): string {
  return f.compression === "none" ? fileName(f, "artifact") : `${f.backupId}.dump`;
}

/** The walk-away kit's README.md: how to check and restore this backup with only the bucket and stock tools. */
export function kitReadme(f: KitFacts): string {
  const artifact = fileName(f, "artifact");
  const decompress =
    f.compression === "zstd"
      ? `zstd -d ${artifact} -o ${dumpFile(f)}\n`
      : f.compression === "gzip"
        ? `gunzip -c ${artifact} > ${dumpFile(f)}\n`
        : "";
  return `# Walwarden backup ${f.backupId}

Database \`${f.databaseId}\`, completed ${f.completedAt}: PostgreSQL ${f.serverVersion}, dumped by pg_dump ${f.pgDumpVersion}
in custom format, compressed with ${f.compression}. SHA-256 of \`${artifact}\`: \`${f.sha256}\`.

This folder is enough to check and restore the backup without Walwarden:

| file | what it is |
|---|---|
| \`${artifact}\` | the dump |
| \`${fileName(f, "manifest")}\` | the signed manifest (DSSE envelope over an in-toto statement: object, SHA-256, row counts, schema fingerprint) |
| \`${fileName(f, "entry")}\` | the \`backup.completed\` entry of your organisation's audit log |
| \`${fileName(f, "proof")}\` | the entry's inclusion proof |
| \`${fileName(f, "checkpoint")}\` | the signed log checkpoint the proof leads to |
| \`${fileName(f, "script")}\` | verifies, then restores with stock tools |

## 1. Verify

Use the keys you pinned when you set Walwarden up (\`/.well-known/walwarden/keys\` of your deployment,
saved then), never keys read from this bucket. For comparison, the keys published when this was written:

\`\`\`
${f.publishedKeys.join("\n")}
\`\`\`

\`\`\`sh
npx -p @walwarden/verifier walwarden-verify kit ${fileName(f, "manifest")} --key '<checkpoint vkey>' --key '<manifest vkey>'
\`\`\`

It checks the manifest signature, that the dump's SHA-256 is the signed one, that the log entry is this
backup's, that the checkpoint is signed, and that the entry is in the log. It prints \`VERIFIED\` or the
check that failed.
${witnessText(f) ? `\n${witnessText(f)}\n` : ""}
## 2. Restore (stock PostgreSQL tools; pg_restore's major version ≥ ${f.pgDumpVersion.split(".")[0]})

\`\`\`sh
${decompress}pg_restore --no-owner --no-privileges --exit-on-error --jobs 2 --dbname 'postgres://user@host/empty_db' ${dumpFile(f)}
\`\`\`

or run \`sh ${fileName(f, "script")} <target connection URL> --key <vkey> --key <vkey>\`, which does both steps
and refuses to restore if verification fails. Restore into an empty database.
`;
}

/** The walk-away kit's restore script: verify with @walwarden/verifier, then decompress and pg_restore. */
export function kitScript(f: KitFacts): string {
  const artifact = fileName(f, "artifact");
  const decompress =
    f.compression === "zstd"
      ? `zstd -q -d -f "$DIR/${artifact}" -o "$DUMP"`
      : f.compression === "gzip"
        ? `gunzip -c "$DIR/${artifact}" > "$DUMP"`
        : "true # not compressed";
  return `#!/bin/sh
# Verifies Walwarden backup ${f.backupId} against keys you pinned, then restores it with stock tools.
# Usage: sh ${fileName(f, "script")} <target connection URL> --key <checkpoint vkey> --key <manifest vkey>
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then echo "usage: sh $0 <target connection URL> --key <vkey> [--key <vkey>]" >&2; exit 2; fi
TARGET=$1; shift
if [ $# -eq 0 ]; then echo "pin the keys: pass --key <vkey> for the checkpoint and manifest keys (never take them from the bucket)" >&2; exit 2; fi
echo "== verifying ${f.backupId}"
# walwarden-verify from PATH if installed (npm i -g @walwarden/verifier), else through npx.
if command -v walwarden-verify >/dev/null 2>&1; then
  walwarden-verify kit "$DIR/${fileName(f, "manifest")}" "$@"
else
  npx --yes -p @walwarden/verifier walwarden-verify kit "$DIR/${fileName(f, "manifest")}" "$@"
fi
DUMP="$DIR/${dumpFile(f)}"
echo "== decompressing"
${decompress}
echo "== restoring with $(pg_restore --version)"
pg_restore --no-owner --no-privileges --exit-on-error --jobs 2 --dbname "$TARGET" "$DUMP"
echo "== restored ${f.backupId}"
`;
}
