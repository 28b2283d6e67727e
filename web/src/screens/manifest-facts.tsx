import type { ComponentChildren } from "preact";
import type { ManifestStatement } from "../lib/manifest.js";
import { Time } from "../components/time.js";
import { formatBytes } from "../lib/format.js";

/** The fields of a pg-dump manifest: what was dumped, when, how, where it is stored, and each table's row count. */
export function ManifestFacts({ statement }: { statement: ManifestStatement }) {
  const p = statement.predicate;
  const subject = statement.subject[0];
  const facts: [string, ComponentChildren][] = [
    ["Subject", <code class="wrap">{subject?.name ?? "—"}</code>],
    ["Subject SHA-256", <code class="wrap">{subject?.digest.sha256 ?? "—"}</code>],
    ["Predicate type", <code class="wrap">{statement.predicateType}</code>],
    ["Backup", <code>{p.backupId}</code>],
    ["Database", <code>{p.databaseId}</code>],
    ["Job", <code>{p.jobId}</code>],
    ["Started", <Time iso={p.startedAt} />],
    ["Completed", <Time iso={p.completedAt} />],
    ["Size", `${formatBytes(p.sizeBytes)} (${p.sizeBytes.toLocaleString("en")} bytes)`],
    ["Format", `${p.dumpFormat}, ${p.compression}`],
    ["PostgreSQL / pg_dump", `${p.serverVersion} / ${p.pgDumpVersion}`],
    ["Bucket", <code class="wrap">{p.s3.bucket}</code>],
    ["Key", <code class="wrap">{p.s3.key}</code>],
    ["Version id", p.s3.versionId ?? "— (bucket not versioned)"],
    ["ETag", <code>{p.s3.etag}</code>],
    [
      "Object Lock",
      p.s3.objectLock ? (
        <>
          {p.s3.objectLock.mode} until <Time iso={p.s3.objectLock.retainUntil} />
        </>
      ) : (
        "none"
      ),
    ],
    ["Schema fingerprint", <code class="wrap">{p.schemaFingerprint}</code>],
    [
      "Runner",
      <>
        <code>{p.runner.id}</code> version {p.runner.version}
      </>,
    ],
  ];
  return (
    <>
      <dl class="facts manifest">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {p.tables.length === 0 ? (
        <p class="muted">The dump holds no tables.</p>
      ) : (
        <details>
          <summary>Tables ({p.tables.length}) and row counts</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col" class="num">
                    Rows
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.tables.map((t) => (
                  <tr key={`${t.schema}.${t.name}`}>
                    <th scope="row">
                      <span class="truncate" title={`${t.schema}.${t.name}`}>
                        {t.schema}.{t.name}
                      </span>
                    </th>
                    <td class="num">{t.rows.toLocaleString("en")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </>
  );
}
