/** What the kit's README and script need to know about one backup. */
export interface KitFacts {
  backupId: string;
  databaseId: string;
  artifactFile: string;
  manifestFile: string;
  compression: "zstd" | "gzip" | "none";
  pgDumpVersion: string;
  serverVersion: string;
  completedAt: string;
  sha256: string;
  /** The vkeys the Worker published when this was written (a hint to compare with your pinned copy, never a trust anchor). */
  publishedKeys: string[];
}

/** The walk-away kit's README.md: how to check and restore this backup with only the bucket and stock tools. */
export function kitReadme(f: KitFacts): string {
  const decompress = f.compression === "zstd" ? `zstd -d ${f.artifactFile} -o ${f.backupId}.dump` : f.compression === "gzip" ? `gunzip -c ${f.artifactFile} > ${f.backupId}.dump` : `cp ${f.artifactFile} ${f.backupId}.dump`;
  return `# Walwarden backup ${f.backupId}

Database \`${f.databaseId}\`, completed ${f.completedAt}: PostgreSQL ${f.serverVersion}, dumped by pg_dump ${f.pgDumpVersion}
in custom format, compressed with ${f.compression}. SHA-256 of \`${f.artifactFile}\`: \`${f.sha256}\`.

This folder is enough to check and restore the backup without Walwarden:

| file | what it is |
|---|---|
| \`${f.artifactFile}\` | the dump |
| \`${f.manifestFile}\` | the signed manifest (DSSE envelope over an in-toto statement: object, SHA-256, row counts, schema fingerprint) |
| \`${f.backupId}.entry.json\` | the \`backup.completed\` entry of your organisation's audit log |
| \`${f.backupId}.proof.json\` | the entry's inclusion proof |
| \`${f.backupId}.checkpoint.txt\` | the signed log checkpoint the proof leads to |
| \`${f.backupId}.restore.sh\` | verifies, then restores with stock tools |

## 1. Verify

Use the keys you pinned when you set Walwarden up (\`/.well-known/walwarden/keys\` of your deployment,
saved then), never keys read from this bucket. For comparison, the keys published when this was written:

\`\`\`
${f.publishedKeys.join("\n")}
\`\`\`

\`\`\`sh
npx -p @walwarden/verifier walwarden-verify kit ${f.manifestFile} --key '<checkpoint vkey>' --key '<manifest vkey>'
\`\`\`

It checks the manifest signature, that the dump's SHA-256 is the signed one, that the log entry is this
backup's, that the checkpoint is signed, and that the entry is in the log. It prints \`VERIFIED\` or the
check that failed.

## 2. Restore (stock PostgreSQL tools; pg_restore's major version ≥ ${f.pgDumpVersion.split(".")[0]})

\`\`\`sh
${decompress}
pg_restore --no-owner --no-privileges --exit-on-error --jobs 2 --dbname 'postgres://user@host/empty_db' ${f.backupId}.dump
\`\`\`

or run \`sh ${f.backupId}.restore.sh <target connection URL> --key <vkey> --key <vkey>\`, which does both steps
and refuses to restore if verification fails. Restore into an empty database.
`;
}

/** The walk-away kit's restore script: verify with @walwarden/verifier, then decompress and pg_restore. */
export function kitScript(f: KitFacts): string {
  const decompress = f.compression === "zstd" ? `zstd -q -d -f "$DIR/${f.artifactFile}" -o "$DUMP"` : f.compression === "gzip" ? `gunzip -c "$DIR/${f.artifactFile}" > "$DUMP"` : `cp "$DIR/${f.artifactFile}" "$DUMP"`;
  return `#!/bin/sh
# Verifies Walwarden backup ${f.backupId} against keys you pinned, then restores it with stock tools.
# Usage: sh ${f.backupId}.restore.sh <target connection URL> --key <checkpoint vkey> --key <manifest vkey>
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then echo "usage: sh $0 <target connection URL> --key <vkey> [--key <vkey>]" >&2; exit 2; fi
TARGET=$1; shift
if [ $# -eq 0 ]; then echo "pin the keys: pass --key <vkey> for the checkpoint and manifest keys (never take them from the bucket)" >&2; exit 2; fi
echo "== verifying ${f.backupId}"
# walwarden-verify from PATH if installed (npm i -g @walwarden/verifier), else through npx.
if command -v walwarden-verify >/dev/null 2>&1; then
  walwarden-verify kit "$DIR/${f.manifestFile}" "$@"
else
  npx --yes -p @walwarden/verifier walwarden-verify kit "$DIR/${f.manifestFile}" "$@"
fi
DUMP="$DIR/${f.backupId}.dump"
echo "== decompressing"
${decompress}
echo "== restoring with $(pg_restore --version)"
pg_restore --no-owner --no-privileges --exit-on-error --jobs 2 --dbname "$TARGET" "$DUMP"
echo "== restored ${f.backupId}"
`;
}
