import { err, ok, type Result } from "@walwarden/verifier";
import { checkOutboundUrl } from "../alerts/deliver/outbound-url.js";

/**
 * Checks a witness's submission prefix (C2SP tlog-witness: the Worker POSTs to `<prefix>/add-checkpoint`): the
 * rules of every outbound URL the Worker holds (checkOutboundUrl: https to a public host, no user name or
 * password; loopback over http only with `allowLoopback`, development and tests), and no query or fragment, which
 * a prefix cannot have (the path is appended to). Messages name the scheme and host at most, never the path.
 */
export function checkWitnessUrl(raw: string, opts: { allowLoopback: boolean }): Result<URL, "bad-url"> {
  const checked = checkOutboundUrl(raw, opts);
  if (!checked.ok) return checked;
  const url = checked.value;
  if (url.search !== "" || raw.includes("?"))
    return err("bad-url", `${url.protocol}//${url.host} is refused: a submission prefix has no query`);
  if (url.hash !== "" || raw.includes("#"))
    return err("bad-url", `${url.protocol}//${url.host} is refused: a submission prefix has no fragment`);
  return ok(url);
}

/** The add-checkpoint URL of a submission prefix (one trailing slash of the prefix dropped). */
export function addCheckpointUrl(prefix: URL): string {
  const base = prefix.href.endsWith("/") ? prefix.href.slice(0, -1) : prefix.href;
  return `${base}/add-checkpoint`;
}
