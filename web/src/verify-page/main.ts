// The standalone verify page (built into dist/verify.html, everything inlined): an auditor chooses or drops
// an evidence zip, pastes the vkeys they trust, and @walwarden/verifier's verifyBundle checks it here, in
// the page, with no network (the page's CSP forbids every connection). Witness keys pasted there are
// required as `walwarden-verify bundle --witness … --witness-quorum M` requires them (check log.witnesses).
import { policyFromVkeys, verifyBundle } from "@walwarden/verifier";
import { parseKeyLines } from "../lib/key-lines.js";
import { witnessOptions } from "../lib/witness-keys.js";
import { renderReport, renderProblem } from "./render-report.js";

const STORAGE_KEY = "walwarden.verify.pinnedKeys";
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const form = $<HTMLFormElement>("verify-form");
const keys = $<HTMLTextAreaElement>("keys");
const origin = $<HTMLInputElement>("origin");
const bundle = $<HTMLInputElement>("bundle");
const witnesses = $<HTMLTextAreaElement>("witnesses");
const quorum = $<HTMLInputElement>("quorum");
const result = $<HTMLElement>("result");
let dropped: File | undefined;

keys.value = readPinned() ?? "";

/** Keys remembered on this computer (localStorage of the page's origin), if any. */
function readPinned(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (some browsers for file://)
  }
}

function pin(text: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, text);
  } catch {
    // not remembered; verification does not depend on it
  }
}

/** Shows `message` at a witness field (marked invalid, focused), or clears both fields' problems. */
function fieldProblem(field?: "witnesses" | "quorum", message = ""): void {
  for (const [id, input] of [
    ["witnesses", witnesses],
    ["quorum", quorum],
  ] as const) {
    const p = $<HTMLParagraphElement>(`${id}-problem`);
    const mine = id === field;
    p.textContent = mine ? message : "";
    p.hidden = !mine;
    if (mine) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  if (field) (field === "witnesses" ? witnesses : quorum).focus();
}

async function verify(): Promise<void> {
  fieldProblem();
  const file = dropped ?? bundle.files?.[0];
  const vkeys = parseKeyLines(keys.value);
  if (vkeys.length === 0)
    return renderProblem(
      result,
      "Paste the verifier keys you trust first: the bundle is never trusted to name its own keys.",
    );
  if (!file) return renderProblem(result, "Choose or drop the evidence bundle (.zip).");
  const witnessed = witnessOptions(witnesses.value, quorum.value);
  if (!witnessed.ok) {
    fieldProblem(witnessed.field, witnessed.message);
    return renderProblem(result, `Nothing was verified. ${witnessed.message}`);
  }
  const policy = policyFromVkeys(vkeys, {
    ...(origin.value.trim() ? { origin: origin.value.trim() } : {}),
    ...witnessed.value,
  });
  if (!policy.ok) return renderProblem(result, `Those keys cannot be used: ${policy.message}`);
  result.replaceChildren(
    Object.assign(document.createElement("p"), { className: "working", textContent: `Verifying ${file.name}…` }),
  );
  const zip = new Uint8Array(await file.arrayBuffer());
  const started = performance.now();
  const report = await verifyBundle(zip, policy.value);
  pin(vkeys.join("\n"));
  renderReport(result, report, {
    fileName: file.name,
    bytes: zip.length,
    ms: performance.now() - started,
    keys: vkeys,
    witnesses: witnessed.count,
  });
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  void verify().catch((err: unknown) =>
    renderProblem(result, `Verification stopped: ${err instanceof Error ? err.message : String(err)}`),
  );
});
bundle.addEventListener("change", () => {
  dropped = undefined;
});
document.addEventListener("dragover", (e) => {
  e.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
document.addEventListener("drop", (e) => {
  e.preventDefault();
  document.body.classList.remove("dragging");
  const file = e.dataTransfer?.files[0];
  if (!file) return;
  dropped = file;
  $("drop").textContent = `Dropped: ${file.name}. Press Verify.`;
});
