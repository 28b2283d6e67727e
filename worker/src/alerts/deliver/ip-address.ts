// Which IP addresses a customer's webhook may not point at. The hosts come from WHATWG URL, which already
// normalises every IPv4 spelling (0x7f.1, 2130706433, 0177.0.0.1 → 127.0.0.1) and prints IPv6 in its
// canonical compressed form, so these parsers need only the canonical forms.

/** Why an address is not a public one. */
export type AddressRule =
  | "loopback"
  | "private"
  | "link-local"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved";

/** [first address, prefix length, rule]; the first match wins, so narrower ranges come first. */
const V4_RANGES: readonly [string, number, AddressRule][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "private"], // carrier-grade NAT; Alibaba's metadata service is 100.100.100.200
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"], // AWS, GCP, Azure and Oracle metadata services are 169.254.169.254
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

/** A dotted-quad IPv4 address as a 32-bit number, or undefined if the text is not one. */
export function parseIpv4(host: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

const V4_PARSED = V4_RANGES.map(([base, bits, rule]) => [parseIpv4(base)!, bits, rule] as const);

/** The rule an IPv4 address (as a number) breaks, or null for a public address. */
export function classifyIpv4(n: number): AddressRule | null {
  for (const [base, bits, rule] of V4_PARSED) {
    const size = 2 ** (32 - bits);
    if (n >= base && n < base + size) return rule;
  }
  return null;
}

/** An IPv6 address in hex-group form (optionally with one `::`) as its eight 16-bit groups, or undefined. */
export function parseIpv6(host: string): number[] | undefined {
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.map((g) => Number.parseInt(g, 16));
}

/** The IPv4 address held in two 16-bit groups. */
const v4 = (hi: number, lo: number) => hi * 65536 + lo;

/** The rule an IPv6 address (eight groups) breaks, or null for a public address. */
export function classifyIpv6(g: number[]): AddressRule | null {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return "unspecified";
  if (zeros(0, 7) && g[7] === 1) return "loopback";
  // Forms that carry an IPv4 address are judged by it: IPv4-mapped ::ffff:a.b.c.d, SIIT ::ffff:0:a.b.c.d,
  // NAT64 64:ff9b::a.b.c.d and 6to4 2002:aabb:ccdd::; the deprecated IPv4-compatible ::a.b.c.d at least reserved.
  if (zeros(0, 5) && g[5] === 0xffff) return classifyIpv4(v4(g[6]!, g[7]!));
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return classifyIpv4(v4(g[6]!, g[7]!)) ?? "reserved";
  if (zeros(0, 6)) return classifyIpv4(v4(g[6]!, g[7]!)) ?? "reserved";
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return classifyIpv4(v4(g[6]!, g[7]!));
  if (g[0] === 0x2002) return classifyIpv4(v4(g[1]!, g[2]!));
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique-local (AWS's metadata is fd00:ec2::254)
  if ((first & 0xffc0) === 0xfe80) return "link-local"; // fe80::/10
  if ((first & 0xffc0) === 0xfec0) return "private"; // fec0::/10, the deprecated site-local
  if ((first & 0xff00) === 0xff00) return "multicast"; // ff00::/8
  if (first === 0x2001 && g[1] === 0x0db8) return "reserved"; // 2001:db8::/32, documentation
  if (first === 0x0100 && zeros(1, 4)) return "reserved"; // 100::/64, discard
  return null;
}
