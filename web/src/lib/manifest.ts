// Reads the in-toto statement out of a DSSE envelope for display. Display only: what is shown is what the
// manifest claims; "Verify in browser" is what checks the signature over exactly these bytes.
// (atob and TextDecoder, not the verifier's codecs: this module is on the first screen's path, the verifier is loaded lazily.)
import type { PgDumpPredicate } from "@walwarden/verifier";

/** The statement a manifest carries: subject (artifact and digest), predicate type and the pg-dump predicate. */
export interface ManifestStatement {
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: PgDumpPredicate;
}

/** The statement in a DSSE envelope's payload, or an error message if it cannot be read. */
export function readStatement(envelope: {
  payload: string;
}): { ok: true; value: ManifestStatement } | { ok: false; message: string } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(envelope.payload), (c) => c.charCodeAt(0)),
    );
  } catch {
    return { ok: false, message: "the payload is not base64 of UTF-8 text" };
  }
  try {
    return { ok: true, value: JSON.parse(text) as ManifestStatement };
  } catch (e) {
    return { ok: false, message: `the payload is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}
