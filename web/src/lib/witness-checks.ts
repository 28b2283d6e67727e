// The add-witness form checked as the API checks it, in the verifier's chunk (loaded on first use, like the
// settings checks): the wire's own WitnessRequestSchema and WitnessName. What passes is the PUT to send.
import { WitnessName, WitnessRequestSchema } from "@walwarden/verifier/wire";
import type { Checked } from "./settings-checks.js";
import { problemsOfIssues } from "./settings.js";
import { nameOfVkey, WITNESS_FIELDS, type WitnessField, type WitnessForm } from "./witnesses.js";

/** PUT /v1/witnesses/:name's name (the vkey's key name) and body, or each problem at its field. */
export function checkWitness(
  f: WitnessForm,
): Checked<WitnessField, { name: string; body: ReturnType<typeof WitnessRequestSchema.parse> }> {
  const parsed = WitnessRequestSchema.safeParse({ vkey: f.vkey.trim(), url: f.url.trim() });
  if (!parsed.success) return { ok: false, problems: problemsOfIssues(parsed.error.issues, WITNESS_FIELDS) };
  const name = WitnessName.safeParse(nameOfVkey(parsed.data.vkey));
  if (!name.success)
    return { ok: false, problems: { vkey: `Its key name cannot name a witness: ${name.error.issues[0]?.message}.` } };
  return { ok: true, body: { name: name.data, body: parsed.data } };
}
