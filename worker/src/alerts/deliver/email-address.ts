import { err, ok, type Result } from "@walwarden/verifier";

// A deliberately narrow address check: one plain addr-spec (no display name, no comments, no quoting), so an
// address can go into a header and an SMTP envelope as it is, and cannot carry a line break into the headers.

const ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** The address if it is one plain `local@domain.tld` of at most 254 characters. */
export function checkEmailAddress(address: string): Result<string, "bad-address"> {
  if (address.length > 254 || !ADDRESS.test(address)) return err("bad-address", "not a plain email address");
  return ok(address);
}

/** The domain of an address already checked. */
export function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
