import { err, ok, type Result } from "@walwarden/verifier";
import { type AddressRule, classifyIpv4, classifyIpv6, parseIpv4, parseIpv6 } from "./ip-address.js";

// The URLs customers configure for webhooks and Slack, checked when saved and again before each send. This
// refuses what can be seen in the URL itself. It cannot see where a public name resolves: a Worker has no
// DNS API, so `hooks.example.com` pointing at 10.0.0.5 passes here. That is covered by the platform, not by
// this check: fetch() from a Worker goes out through Cloudflare's network to the public Internet and does not
// reach private networks (a Worker reaches those only through explicitly configured bindings or tunnels).
// Messages name only the scheme and host, never the path or query: a Slack webhook's path is its token.

/** The longest URL accepted. */
export const MAX_OUTBOUND_URL_LENGTH = 2048;

/** Names that are never public hosts: mDNS, home networks and private-use top-level names. */
const PRIVATE_SUFFIXES = [".local", ".internal", ".home.arpa", ".lan", ".intranet", ".corp"];

/** Cloud metadata services reachable by name (their addresses are refused by range). */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data"]);

const RULE_TEXT: Record<AddressRule, string> = {
  loopback: "a loopback address",
  private: "a private network address",
  "link-local": "a link-local address",
  unspecified: "an unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  reserved: "a reserved address",
};

/** What the host is, when it is not a public host. */
type HostVerdict = { rule: "public" } | { rule: "loopback" } | { rule: "refused"; why: string };

/** Judges the host of a parsed http(s) URL (lower-cased and normalised by WHATWG URL). */
function judgeHost(hostname: string): HostVerdict {
  if (hostname.startsWith("[")) {
    const groups = parseIpv6(hostname.slice(1, -1));
    if (!groups) return { rule: "refused", why: "is not an IPv6 address this check understands" };
    return verdictOf(classifyIpv6(groups));
  }
  const v4 = parseIpv4(hostname);
  if (v4 !== undefined) return verdictOf(classifyIpv4(v4));
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (name === "localhost" || name.endsWith(".localhost")) return { rule: "loopback" };
  if (METADATA_NAMES.has(name)) return { rule: "refused", why: "is a cloud metadata service" };
  if (!name.includes(".")) return { rule: "refused", why: "is a single-label name, not a public host" };
  if (PRIVATE_SUFFIXES.some((s) => name.endsWith(s))) return { rule: "refused", why: "is a private-use name" };
  return { rule: "public" };
}

/** The verdict for an address's rule. */
function verdictOf(rule: AddressRule | null): HostVerdict {
  if (rule === null) return { rule: "public" };
  if (rule === "loopback") return { rule: "loopback" };
  return { rule: "refused", why: `is ${RULE_TEXT[rule]}` };
}

/**
 * Checks a webhook or Slack URL a customer configures: https to a public host, no user name or password, at most
 * 2048 characters. With `allowLoopback` (development and tests only) a loopback host is allowed, over http too.
 */
export function checkOutboundUrl(raw: string, opts: { allowLoopback: boolean }): Result<URL, "bad-url"> {
  if (raw.length > MAX_OUTBOUND_URL_LENGTH) {
    return err("bad-url", `the URL is longer than ${MAX_OUTBOUND_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return err("bad-url", "the URL does not parse");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return err("bad-url", `only https URLs are allowed, not ${url.protocol.slice(0, 16)}`);
  }
  const origin = `${url.protocol}//${url.host}`;
  if (url.username || url.password)
    return err("bad-url", `${origin} is refused: a URL may not hold a user name or password`);
  const host = judgeHost(url.hostname);
  if (host.rule === "refused") return err("bad-url", `${origin} is refused: the host ${host.why}`);
  if (host.rule === "loopback" && !opts.allowLoopback) {
    return err("bad-url", `${origin} is refused: the host is a loopback address`);
  }
  if (url.protocol === "http:" && host.rule !== "loopback") {
    return err("bad-url", `${origin} is refused: only https URLs are allowed`);
  }
  return ok(url);
}
