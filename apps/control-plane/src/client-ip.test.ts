import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientIp, noTrustedProxies, parseTrustedProxies } from "./client-ip.ts";

function req(forwardedFor: string | undefined, peer = "172.28.0.10"): IncomingMessage {
  return {
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
    socket: { remoteAddress: peer },
  } as unknown as IncomingMessage;
}

const dashboard = parseTrustedProxies("172.28.0.10");

describe("clientIp", () => {
  it("uses the peer's address when no proxy is trusted, whatever the header says", () => {
    expect(clientIp(req("1.1.1.1"), noTrustedProxies)).toBe("172.28.0.10");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    // A client talking to the control plane directly picks nothing.
    expect(clientIp(req("6.6.6.6", "203.0.113.7"), dashboard)).toBe("203.0.113.7");
    expect(clientIp(req("6.6.6.6, 172.28.0.10", "203.0.113.7"), dashboard)).toBe("203.0.113.7");
  });

  it("takes the right-most address that is not a trusted proxy", () => {
    expect(clientIp(req("6.6.6.6, 203.0.113.7"), dashboard)).toBe("203.0.113.7");
    const chain = parseTrustedProxies("172.28.0.10, 10.0.0.0/8");
    expect(clientIp(req("6.6.6.6, 203.0.113.7, 10.0.0.2"), chain)).toBe("203.0.113.7");
    expect(clientIp(req(" 203.0.113.7 ,"), dashboard)).toBe("203.0.113.7");
  });

  it("falls back to the peer when the header is missing or empty", () => {
    expect(clientIp(req(undefined), dashboard)).toBe("172.28.0.10");
    expect(clientIp(req(" , "), dashboard)).toBe("172.28.0.10");
  });

  it("stops at an entry that is not an address, keeping the last trusted hop", () => {
    const chain = parseTrustedProxies("172.28.0.10, 10.0.0.2");
    expect(clientIp(req("forged-name, 10.0.0.2"), chain)).toBe("10.0.0.2");
  });

  it("reads IPv4-mapped IPv6 peers and entries with ports", () => {
    const loopback = parseTrustedProxies("127.0.0.1,::1");
    expect(clientIp(req("203.0.113.7", "::ffff:127.0.0.1"), loopback)).toBe("203.0.113.7");
    expect(clientIp(req("203.0.113.7:5123", "::1"), loopback)).toBe("203.0.113.7");
    expect(clientIp(req("[2001:db8::1]:443", "::1"), loopback)).toBe("2001:db8::1");
    expect(clientIp(req(undefined, "::ffff:198.51.100.4"), loopback)).toBe("198.51.100.4");
  });
});

describe("parseTrustedProxies", () => {
  it("accepts addresses and CIDR ranges of both families", () => {
    const t = parseTrustedProxies("127.0.0.1, ::1, 172.28.0.0/24, fd00::/8");
    expect(t.has("127.0.0.1")).toBe(true);
    expect(t.has("::ffff:127.0.0.1")).toBe(true);
    expect(t.has("172.28.0.200")).toBe(true);
    expect(t.has("172.28.1.1")).toBe(false);
    expect(t.has("fd12::5")).toBe(true);
    expect(t.has("not-an-ip")).toBe(false);
    expect(t.entries).toEqual(["127.0.0.1", "::1", "172.28.0.0/24", "fd00::/8"]);
  });

  it("names an entry that is not an address or range", () => {
    expect(() => parseTrustedProxies("127.0.0.1, dashboard")).toThrow(/"dashboard" is not an IP address/);
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/"10.0.0.0\/33" has an invalid prefix/);
    expect(() => parseTrustedProxies("true")).toThrow(/"true" is not an IP address/);
  });
});
