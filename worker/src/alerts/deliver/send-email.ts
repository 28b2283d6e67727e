import type { AlertNotice } from "../notice.js";
import { checkEmailAddress } from "./email-address.js";
import { emailMessage } from "./email-message.js";
import type { EmailSender } from "./email-sender.js";
import { permanent, type SendResult, transient } from "./send-result.js";

// One message per recipient: the send_email binding takes one envelope recipient, and nobody sees the others'
// addresses. A retry sends to all of them again; the Message-ID is the same, so clients can tell it is one mail.

/** What an email send needs from the Worker. */
export interface EmailDeps {
  email: EmailSender | undefined;
  emailFrom: string | undefined;
  now: () => number;
  timeoutMs: number;
}

/** Resolves to "timeout" when the promise has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The platform's reason, as short printable text (it names the refusal, e.g. an unverified destination). */
const reason = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).replace(/[^\x20-\x7e]/g, "").slice(0, 120) || "refused";

/** Sends a notice by email to each recipient. */
export async function sendEmail(to: readonly string[], notice: AlertNotice, deps: EmailDeps): Promise<SendResult> {
  if (!deps.email || !deps.emailFrom)
    return permanent("email is not configured on this Worker (no send_email binding)");
  const from = checkEmailAddress(deps.emailFrom);
  if (!from.ok) return permanent("the Worker's sender address is not a plain email address");
  if (to.length === 0) return permanent("the channel has no recipients");
  const bad = to.findIndex((a) => !checkEmailAddress(a).ok);
  if (bad >= 0) return permanent(`recipient ${bad + 1} of ${to.length} is not a plain email address`);
  const failures: string[] = [];
  for (const address of to) {
    const mail = emailMessage(notice, { from: from.value, to: address, date: new Date(deps.now()) });
    try {
      const sent = await within(deps.email.send(mail.from, mail.to, mail.raw), deps.timeoutMs);
      if (sent === "timeout") failures.push("no answer in time");
    } catch (e) {
      failures.push(reason(e));
    }
  }
  if (failures.length === 0) return { ok: true };
  // Which refusals are permanent is not documented by the binding; the queue's retry limit bounds them.
  return transient(`${failures.length} of ${to.length} recipients failed: ${failures[0]}`);
}
