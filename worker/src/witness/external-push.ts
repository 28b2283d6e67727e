import {
  type CosignerKey,
  parseCheckpointNote,
  parseCosignerVkey,
  parseSignedNote,
  toBase64,
  verifyCosignatures,
} from "@walwarden/verifier";
import { type LedgerBinding, ledgerOf } from "../ledger/client.js";
import {
  type AddCheckpointAnswer,
  addCheckpointBody,
  postAddCheckpoint,
  type WitnessPostDeps,
} from "./external-protocol.js";
import { addCheckpointUrl, checkWitnessUrl } from "./external-url.js";

// One push of an org's newest checkpoint to one external witness (verifier/SPEC.md §13, C2SP tlog-witness):
// `old <the size it cosigned>`, the proof from there, the checkpoint; on a 409 with the witness's size, once
// more from that size (a resync); a 200's cosignature checked with the pinned key and kept by the Ledger.
// Never throws for anything the witness does; every error is fixed words, sizes and statuses, never the URL.

/** An external witness as the push needs it (a row of `witnesses`). */
export interface ExternalWitness {
  orgId: string;
  name: string;
  url: string;
  vkey: string;
  /** The size of the newest checkpoint it cosigned that the Ledger keeps (0: none). */
  cosignedSize: number;
}

/** What a push came to: the size now cosigned (and the witness's size it resynced from), or why not. */
export type PushResult =
  | { ok: true; size: number; resyncedFrom: number | null; pushed: boolean }
  | { ok: false; error: string };

/** What a push needs besides the Ledger: how to POST, when it is, and whether loopback URLs are allowed. */
export interface PushDeps extends WitnessPostDeps {
  now: number;
  allowLoopback: boolean;
}

const fail = (error: string): PushResult => ({ ok: false, error });

/** The checkpoint to push, the proof from the witness's size, and what they say. */
interface View {
  note: string;
  size: number;
  origin: string;
  proof: string[];
}

/**
 * The Ledger's checkpoint with its own signature line only: the Ledger signs each checkpoint with one line
 * and the lines of witnesses follow it (SPEC §13). A witness ignores lines of keys it does not know, but it
 * is shown nothing but what it is asked to check.
 */
function logSignedOnly(note: string): { note: string; size: number; origin: string } | undefined {
  const parsed = parseSignedNote(note);
  const cp = parseCheckpointNote(note);
  const own = parsed.ok ? parsed.value.signatures[0] : undefined;
  if (!parsed.ok || !cp.ok || !own || cp.value.size > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { note: `${parsed.value.text}\n${own.line}\n`, size: Number(cp.value.size), origin: cp.value.origin };
}

/** The newest checkpoint and the proof from `from` (null when the log is no larger), or an error. */
async function viewFrom(env: LedgerBinding, orgId: string, from: number): Promise<View | null | { error: string }> {
  const view = await ledgerOf(env, orgId).witnessView(orgId, from);
  if (!view.ok) return { error: `the log cannot be read: ${view.message}` };
  if (view.value === null) return null;
  const own = logSignedOnly(view.value.checkpoint);
  if (!own) return { error: "the log's newest checkpoint does not parse" };
  if (own.size < from) return { error: `the witness's cosigned size ${from} is beyond this log's ${own.size}` };
  return { ...own, proof: view.value.proof };
}

/** Why a witness's status is a refusal, in words (tlog-witness: 400, 403, 404, 422; anything else). */
function refusalOf(status: number, oldSize: number, origin: string): string {
  switch (status) {
    case 400:
      return "HTTP 400 Bad Request: the witness found the request malformed";
    case 403:
      return "HTTP 403 Forbidden: no key the witness trusts for this log signed the checkpoint (give it the checkpoint vkeys of /.well-known/walwarden/keys)";
    case 404:
      return `HTTP 404 Not Found: the witness does not know this log's origin ${origin}`;
    case 422:
      return `HTTP 422 Unprocessable Entity: the witness found the consistency proof from size ${oldSize} does not verify`;
    case 200:
      return "HTTP 200 with an answer that is not UTF-8 signature lines of at most 64 KiB";
    default:
      return status >= 300 && status < 400
        ? `HTTP ${status}: the witness redirected, and redirects are not followed`
        : `HTTP ${status}: the witness did not cosign`;
  }
}

/** Signature lines only: each `— …` and newline-terminated, no blank line (which would change the note). */
const SIGNATURE_LINES = /^(\u2014 [^\n]+\n)+$/u;

/**
 * Checks a 200's lines with the pinned key over the checkpoint sent (lines of other keys ignored, tlog-witness)
 * and has the Ledger keep the pinned key's line for the checkpoint's size.
 */
async function keep(
  env: LedgerBinding,
  orgId: string,
  key: CosignerKey,
  view: View,
  lines: string,
  now: number,
): Promise<string | undefined> {
  if (!SIGNATURE_LINES.test(lines)) return "HTTP 200 with an answer that is not note signature lines";
  const checked = verifyCosignatures(view.note + lines, [key], 1);
  if (!checked.ok) return `HTTP 200 without a valid cosignature of the pinned key: ${checked.message}`;
  const parsed = parseSignedNote(view.note + lines);
  const mine = parsed.ok
    ? parsed.value.signatures.find((s) => s.name === key.name && s.keyId === key.keyId)
    : undefined;
  if (!mine) return "HTTP 200 without a line of the pinned key";
  const kept = await ledgerOf(env, orgId).addCosignature(
    orgId,
    view.size,
    { name: key.name, publicKey: toBase64(key.publicKey) },
    `${mine.line}\n`,
    now,
  );
  return kept.ok ? undefined : `the cosignature was not kept: ${kept.message}`;
}

/** Sends one add-checkpoint from `oldSize` with `view`. */
function send(url: string, oldSize: number, view: View, deps: PushDeps): Promise<AddCheckpointAnswer> {
  return postAddCheckpoint(url, addCheckpointBody(oldSize, oldSize === 0 ? [] : view.proof, view.note), deps);
}

/** What an answer other than a 409 came to: the size now cosigned, or the error. */
async function settle(
  env: LedgerBinding,
  w: ExternalWitness,
  key: CosignerKey,
  answer: Exclude<AddCheckpointAnswer, { kind: "conflict" }>,
  oldSize: number,
  view: View,
  deps: PushDeps,
): Promise<number | string> {
  if (answer.kind === "unreachable") return answer.error;
  if (answer.kind === "refused") return refusalOf(answer.status, oldSize, view.origin);
  if (answer.lines === undefined) return refusalOf(200, oldSize, view.origin);
  return (await keep(env, w.orgId, key, view, answer.lines, deps.now)) ?? view.size;
}

/**
 * Pushes the org's newest checkpoint to one witness: from its cosigned size, and on a 409 that gives a
 * size not larger than the log's (and not the one sent), once more from that size. Nothing to push (the
 * witness cosigned the head) is `pushed: false`.
 */
export async function pushWitness(env: LedgerBinding, w: ExternalWitness, deps: PushDeps): Promise<PushResult> {
  const key = parseCosignerVkey(w.vkey);
  if (!key.ok || key.value.name !== w.name) return fail("the stored vkey is not this witness's cosigner key");
  const url = checkWitnessUrl(w.url, { allowLoopback: deps.allowLoopback });
  if (!url.ok) return fail(url.message);
  const target = addCheckpointUrl(url.value);

  const first = await viewFrom(env, w.orgId, w.cosignedSize);
  if (first === null) return { ok: true, size: w.cosignedSize, resyncedFrom: null, pushed: false };
  if ("error" in first) return fail(first.error);
  const answer = await send(target, w.cosignedSize, first, deps);
  if (answer.kind !== "conflict") {
    const r = await settle(env, w, key.value, answer, w.cosignedSize, first, deps);
    return typeof r === "number" ? { ok: true, size: r, resyncedFrom: null, pushed: true } : fail(r);
  }

  const theirs = answer.size;
  if (theirs === undefined) return fail("HTTP 409 Conflict without a text/x.tlog.size body giving the witness's size");
  if (theirs === BigInt(w.cosignedSize))
    return fail(`HTTP 409 Conflict: the witness holds another checkpoint of size ${theirs}, the size sent`);
  if (theirs > BigInt(first.size))
    return fail(
      `HTTP 409 Conflict: the witness is at size ${theirs}, beyond this log's ${first.size} (another history under this origin?)`,
    );
  const from = Number(theirs);
  const again = from === first.size ? { ...first, proof: [] } : await viewFrom(env, w.orgId, from);
  if (again === null) return fail(`the log changed while resyncing from size ${from}`);
  if ("error" in again) return fail(again.error);
  const second = await send(target, from, again, deps);
  if (second.kind === "conflict")
    return fail(`HTTP 409 Conflict again after resyncing from the witness's size ${from}`);
  const r = await settle(env, w, key.value, second, from, again, deps);
  return typeof r === "number" ? { ok: true, size: r, resyncedFrom: from, pushed: true } : fail(r);
}
