import { describe, expect, it } from "vitest";
import { checkOutboundUrl } from "./outbound-url.js";

const strict = { allowLoopback: false };
const dev = { allowLoopback: true };

/** The refusal's message, or "ok". */
function verdict(raw: string, opts = strict): string {
  const r = checkOutboundUrl(raw, opts);
  return r.ok ? "ok" : r.message;
}

describe("checkOutboundUrl", () => {
  it("accepts https URLs to public hosts, keeping port, path and query", () => {
    const r = checkOutboundUrl("https://hooks.slack.com/services/T000/B000/XXXX?x=1", strict);
    expect(r.ok && r.value.href).toBe("https://hooks.slack.com/services/T000/B000/XXXX?x=1");
    for (const ok of [
      "https://example.com:8443/hook",
      "https://93.184.215.14/hook",
      "https://[2606:4700:4700::1111]/hook",
      "https://[::ffff:8.8.8.8]/",
      "https://example.com./trailing-dot",
      "https://xn--bcher-kva.example/",
    ]) {
      expect(verdict(ok), ok).toBe("ok");
    }
  });

  it("refuses what is not https, or does not parse, or is too long, or has userinfo", () => {
    expect(verdict("not a url")).toBe("the URL does not parse");
    expect(verdict("http://example.com/hook")).toMatch(/only https/);
    expect(verdict("ftp://example.com/")).toMatch(/only https URLs are allowed, not ftp:/);
    expect(verdict("javascript:alert(1)")).toMatch(/not javascript:/);
    expect(verdict(`https://example.com/${"a".repeat(2030)}`)).toMatch(/longer than 2048/);
    expect(verdict("https://user:pass@example.com/")).toMatch(/user name or password/);
    expect(verdict("https://user@example.com/")).toMatch(/user name or password/);
  });

  it("refuses loopback, private, link-local, unspecified, multicast, broadcast and reserved addresses", () => {
    const cases: [string, RegExp][] = [
      ["https://127.0.0.1/", /loopback/],
      ["https://127.255.0.9/", /loopback/],
      ["https://[::1]/", /loopback/],
      ["https://localhost/", /loopback/],
      ["https://LOCALHOST./", /loopback/],
      ["https://api.localhost/", /loopback/],
      ["https://10.1.2.3/", /private/],
      ["https://172.16.0.1/", /private/],
      ["https://172.31.255.255/", /private/],
      ["https://192.168.1.1/", /private/],
      ["https://100.64.0.1/", /private/],
      ["https://100.100.100.200/", /private/],
      ["https://[fc00::1]/", /private/],
      ["https://[fd00:ec2::254]/", /private/],
      ["https://169.254.169.254/latest/meta-data/", /link-local/],
      ["https://[fe80::1]/", /link-local/],
      ["https://0.0.0.0/", /unspecified/],
      ["https://0.1.2.3/", /unspecified/],
      ["https://[::]/", /unspecified/],
      ["https://224.0.0.1/", /multicast/],
      ["https://[ff02::1]/", /multicast/],
      ["https://255.255.255.255/", /broadcast/],
      ["https://240.0.0.1/", /reserved/],
      ["https://[2001:db8::1]/", /reserved/],
      ["https://metadata.google.internal/computeMetadata/v1/", /metadata/],
      ["https://metadata/", /metadata/],
      ["https://printer.local/", /private-use name/],
      ["https://intranet/", /single-label/],
    ];
    for (const [raw, why] of cases) expect(verdict(raw), raw).toMatch(why);
    expect(verdict("https://172.32.0.1/")).toBe("ok");
    expect(verdict("https://100.128.0.1/")).toBe("ok");
    expect(verdict("https://11.0.0.1/")).toBe("ok");
  });

  it("refuses IPv4-mapped and other IPv6 forms that carry a refused IPv4 address", () => {
    for (const raw of [
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:7f00:1]/",
      "https://[0:0:0:0:0:ffff:10.0.0.1]/",
      "https://[::ffff:169.254.169.254]/",
      "https://[::127.0.0.1]/",
      "https://[64:ff9b::10.0.0.1]/",
      "https://[2002:a9fe:a9fe::]/",
    ]) {
      expect(verdict(raw), raw).not.toBe("ok");
    }
    expect(verdict("https://[::ffff:127.0.0.1]/")).toMatch(/loopback/);
  });

  it("refuses every spelling of 127.0.0.1 that WHATWG URL normalises", () => {
    for (const raw of [
      "https://0x7f.1/",
      "https://2130706433/",
      "https://0177.0.0.1/",
      "https://0x7f000001/",
      "https://127.1/",
      "https://127.0.1/",
      "https://%31%32%37.0.0.1/",
      "https://①②⑦.0.0.1/",
    ]) {
      const r = checkOutboundUrl(raw, strict);
      expect(r.ok ? "ok" : r.message, raw).toBe("https://127.0.0.1 is refused: the host is a loopback address");
    }
  });

  it("allows loopback, over http too, only with allowLoopback", () => {
    expect(verdict("http://127.0.0.1:8787/hook", dev)).toBe("ok");
    expect(verdict("http://localhost:8787/hook", dev)).toBe("ok");
    expect(verdict("http://[::1]:8787/hook", dev)).toBe("ok");
    expect(verdict("https://127.0.0.1/hook", dev)).toBe("ok");
    expect(verdict("http://127.0.0.1:8787/hook")).toMatch(/loopback/);
    // allowLoopback is about loopback only: private networks and plain http elsewhere stay refused.
    expect(verdict("http://example.com/", dev)).toMatch(/only https/);
    expect(verdict("https://10.0.0.1/", dev)).toMatch(/private/);
  });

  it("never echoes the path, query or userinfo in its message", () => {
    const secretish = "T0SECRET/B0SECRET/xoxbSECRETTOKEN?token=SECRET#SECRET";
    for (const raw of [
      `http://hooks.slack.com/services/${secretish}`,
      `https://127.0.0.1/services/${secretish}`,
      `https://SECRETUSER:SECRETPASS@example.com/${secretish}`,
      `https://example.com/${"SECRET".repeat(400)}`,
      `https://exa mple.com/${secretish}`,
    ]) {
      const r = checkOutboundUrl(raw, strict);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message, raw).not.toMatch(/SECRET/i);
    }
  });
});
