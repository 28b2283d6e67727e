import { err, ok, type Result } from "@walwarden/verifier";
import type { EvidenceExportRequest } from "@walwarden/verifier/wire";
import type { Env } from "../env.js";
import { appendToLog, ledgerOf, unwrapLedger } from "../ledger/client.js";
import { newId } from "../lib/ids.js";
import { flushOutbox } from "../log/outbox.js";
import { buildEvidence, type BuiltEvidence, type EvidenceErrorCode } from "./build-bundle.js";

/** A logged export: the bundle and what its `evidence.exported` entry says. */
export interface Exported extends BuiltEvidence {
  exportId: string;
  period: { from: string; to: string };
  seq: number;
}

/** Why nothing was exported. */
export type ExportErrorCode = EvidenceErrorCode | "future-period";

/**
 * Exports an org's evidence for a period and logs `evidence.exported`. The outbox is appended first, so
 * every state change made before the export is in the log; the Ledger's head then fixes what the bundle
 * proves, and a period reaching past the head's time is cut there (the index and the log entry say the
 * period actually covered), so exporting the same period later yields the same window. The bundle is
 * handed out only once its export is logged.
 */
export async function exportEvidence(
  env: Env,
  orgId: string,
  actor: string,
  request: EvidenceExportRequest,
  now = Date.now(),
): Promise<Result<Exported, ExportErrorCode>> {
  if (Date.parse(request.from) >= now)
    return err(
      "future-period",
      `the period starts at ${request.from}, after now (${new Date(now).toISOString()}): nothing can be in it yet`,
    );
  await flushOutbox(env, orgId);
  const head = unwrapLedger(await ledgerOf(env, orgId).head(orgId));
  // biome-ignore lint/complexity/useMathMinMax: both are ISO instants; Math.min would turn them into NaN.
  const period = { from: request.from, to: request.to < head.at ? request.to : head.at };
  if (period.to <= period.from)
    return err("future-period", `the period starts at ${request.from}, after the log's latest time (${head.at})`);

  const built = await buildEvidence(env, { orgId, period, createdAt: head.at, head });
  if (!built.ok) return built;
  const exportId = newId("ev", now);
  const { start, end } = built.value.window;
  const logged = await appendToLog(env, orgId, [
    {
      key: `evidence:${exportId}`,
      type: "evidence.exported",
      actor,
      subject: `org:${orgId}`,
      data: {
        exportId,
        from: period.from,
        to: period.to,
        startSeq: start,
        endSeq: end,
        indexSha256: built.value.indexSha256,
      },
    },
  ]);
  return ok({ ...built.value, exportId, period, seq: logged.entries[0]!.seq });
}
