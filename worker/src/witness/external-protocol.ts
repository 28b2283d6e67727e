import { classifyThrown } from "../alerts/deliver/send-result.js";

// The client side of C2SP tlog-witness `add-checkpoint` (https://c2sp.org/tlog-witness, verifier/SPEC.md §13):
// the request body, one POST within a timeout, and what the answer says. No error here holds the URL: fetch's
// own messages can quote it, so only an error's name is kept (classifyThrown).

/** Most consistency proof lines a request may carry (tlog-witness: a client MUST NOT send more than 63). */
export const MAX_PROOF_LINES = 63;

/** Most bytes of an answer read (a note holds at most 100 signature lines; a size is a line). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The media type of a 409's body: the witness's size in decimal and a newline. */
export const TLOG_SIZE_MEDIA_TYPE = "text/x.tlog.size";

/**
 * The add-checkpoint request body: `old <size>\n`, the consistency proof one base64 hash a line (none from
 * size 0), an empty line, then the signed checkpoint (which ends in a newline).
 */
export function addCheckpointBody(oldSize: number, proof: readonly string[], checkpoint: string): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError(`old size ${oldSize} is not a size`);
  if (oldSize === 0 && proof.length > 0) throw new RangeError("the proof must be empty from size 0");
  if (proof.length > MAX_PROOF_LINES) throw new RangeError(`at most ${MAX_PROOF_LINES} proof lines`);
  if (!checkpoint.endsWith("\n")) throw new RangeError("a signed checkpoint ends in a newline");
  return `old ${oldSize}\n${proof.map((h) => `${h}\n`).join("")}\n${checkpoint}`;
}

/** What a witness answered to add-checkpoint. */
export type AddCheckpointAnswer =
  /** 200: the body, one or more note signature lines (not yet checked); undefined when not UTF-8 or too long. */
  | { kind: "cosigned"; lines: string | undefined }
  /** 409: the witness's size when the body is a text/x.tlog.size, else undefined. */
  | { kind: "conflict"; size: bigint | undefined }
  /** Any other status (a redirect included: none is followed). */
  | { kind: "refused"; status: number }
  /** No answer: a network error or the timeout. `error` holds fixed words only. */
  | { kind: "unreachable"; error: string };

/** What a push needs from the Worker (tests pass their own fetch). */
export interface WitnessPostDeps {
  fetch: typeof fetch;
  timeoutMs: number;
}

/** The body's text if it is at most MAX_ANSWER_BYTES of UTF-8, else undefined (the rest is not read). */
async function cappedText(res: Response): Promise<string | undefined> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A 409's size: the body `<decimal>\n` (no leading zeros) with Content-Type text/x.tlog.size, else undefined. */
export function conflictSize(contentType: string | null, body: string | undefined): bigint | undefined {
  const media = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (media !== TLOG_SIZE_MEDIA_TYPE || body === undefined) return undefined;
  const m = /^(0|[1-9][0-9]{0,18})\n$/.exec(body);
  return m ? BigInt(m[1]!) : undefined;
}

/** POSTs an add-checkpoint body to `url` (already checked), without following redirects and within the timeout. */
export async function postAddCheckpoint(
  url: string,
  body: string,
  deps: WitnessPostDeps,
): Promise<AddCheckpointAnswer> {
  const signal = AbortSignal.timeout(deps.timeoutMs);
  try {
    const res = await deps.fetch(url, {
      method: "POST",
      headers: { "content-type": "text/plain; charset=utf-8", "user-agent": "Walwarden-Witness-Client/1" },
      body,
      redirect: "manual",
      signal,
    });
    if (res.status === 200) {
      return { kind: "cosigned", lines: await cappedText(res) };
    }
    if (res.status === 409)
      return { kind: "conflict", size: conflictSize(res.headers.get("content-type"), await cappedText(res)) };
    await res.body?.cancel().catch(() => undefined);
    return { kind: "refused", status: res.status };
  } catch (e) {
    return { kind: "unreachable", error: classifyThrown(e, signal.aborted, deps.timeoutMs).error };
  }
}
