import { describe, expect, it } from "vitest";
import { classifyIpv4, classifyIpv6, parseIpv4, parseIpv6 } from "./ip-address.js";

describe("IP address ranges", () => {
  it("parses dotted quads and canonical IPv6", () => {
    expect(parseIpv4("192.168.0.1")).toBe(0xc0a80001);
    expect(parseIpv4("256.0.0.1")).toBeUndefined();
    expect(parseIpv4("example.com")).toBeUndefined();
    expect(parseIpv6("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6("fe80::1")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of ["1::2::3", "1:2:3", "1:2:3:4:5:6:7:8::", "g::1", "12345::"]) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });

  it("classifies range edges", () => {
    const v4 = (s: string) => classifyIpv4(parseIpv4(s)!);
    expect(v4("9.255.255.255")).toBeNull();
    expect(v4("10.0.0.0")).toBe("private");
    expect(v4("10.255.255.255")).toBe("private");
    expect(v4("11.0.0.0")).toBeNull();
    expect(v4("172.15.255.255")).toBeNull();
    expect(v4("172.16.0.0")).toBe("private");
    expect(v4("100.63.255.255")).toBeNull();
    expect(v4("100.127.255.255")).toBe("private");
    expect(v4("223.255.255.255")).toBeNull();
    expect(v4("239.255.255.255")).toBe("multicast");
    expect(v4("8.8.8.8")).toBeNull();
    const v6 = (s: string) => classifyIpv6(parseIpv6(s)!);
    expect(v6("fbff::1")).toBeNull();
    expect(v6("fdff::1")).toBe("private");
    expect(v6("fe7f::1")).toBeNull();
    expect(v6("febf::1")).toBe("link-local");
    expect(v6("::ffff:808:808")).toBeNull();
    expect(v6("::ffff:a00:1")).toBe("private");
    expect(v6("2606:4700::1111")).toBeNull();
  });
});
