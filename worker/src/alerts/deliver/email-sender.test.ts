import { describe, expect, it } from "vitest";
import { cloudflareEmailSender, type SendEmailBinding } from "./email-sender.js";

describe("cloudflareEmailSender", () => {
  it("hands the binding an EmailMessage with the envelope's sender and recipient", async () => {
    const sent: EmailMessage[] = [];
    const binding: SendEmailBinding = {
      async send(message) {
        sent.push(message);
      },
    };
    await cloudflareEmailSender(binding).send("alerts@walwarden.example", "ops@acme.example", "Subject: x\r\n\r\nhi");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.from).toBe("alerts@walwarden.example");
    expect(sent[0]!.to).toBe("ops@acme.example");
  });

  it("rejects when the binding refuses", async () => {
    const binding: SendEmailBinding = {
      send: async () => {
        throw new Error("destination address is not a verified address");
      },
    };
    await expect(cloudflareEmailSender(binding).send("a@b.example", "c@d.example", "x")).rejects.toThrow(/verified/);
  });
});
