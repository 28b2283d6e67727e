import { EmailMessage } from "cloudflare:email";

// The Worker sends alert email through this interface, so only this file knows Cloudflare's send_email
// binding (https://developers.cloudflare.com/email-routing/email-workers/send-email-workers/) and tests can
// pass a recorder instead.

/** Sends one RFC 5322 message from one sender to one recipient; rejects when the platform refuses it. */
export interface EmailSender {
  send(from: string, to: string, raw: string): Promise<void>;
}

/** The part of a `send_email` binding this uses (typed structurally: wrangler.toml declares the binding). */
export interface SendEmailBinding {
  send(message: EmailMessage): Promise<unknown>;
}

/** An EmailSender over a `send_email` binding. */
export function cloudflareEmailSender(binding: SendEmailBinding): EmailSender {
  return {
    async send(from, to, raw) {
      await binding.send(new EmailMessage(from, to, raw));
    },
  };
}
