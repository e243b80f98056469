/**
 * The client address of a request, which the login throttle counts and the audit log records.
 * X-Forwarded-For is believed only when the direct peer is one of the configured proxies
 * (TRUSTED_PROXIES), and then only as far back as the chain of trusted proxies goes: the client is
 * the right-most address that is not one of them. A client that talks to the control plane
 * directly, or puts its own entries in front of what a proxy appended, cannot choose its address.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/** The proxies whose X-Forwarded-For entries are believed. */
export type TrustedProxies = {
  has(address: string): boolean;
  /** As configured, for logs and error messages. */
  readonly entries: readonly string[];
};

/** `::ffff:10.0.0.1` (how a dual-stack socket reports an IPv4 peer) is `10.0.0.1`. */
function canonicalAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

/**
 * Parses a comma-separated list of IP addresses and CIDR ranges (`127.0.0.1,::1,172.28.0.0/24`).
 * Throws a message naming the first entry that is neither.
 */
export function parseTrustedProxies(list: string): TrustedProxies {
  const blocks = new BlockList();
  const entries = list
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    if (family === 0 || rest.length > 0) {
      throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 127.0.0.1, ::1, 10.0.0.0/8)`);
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) {
      blocks.addAddress(canonicalAddress(address), type);
      continue;
    }
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) {
      throw new Error(`"${entry}" has an invalid prefix length (0-${family === 4 ? 32 : 128})`);
    }
    blocks.addSubnet(canonicalAddress(address), bits, type);
  }
  return {
    entries,
    has(address) {
      const canonical = canonicalAddress(address);
      const family = isIP(canonical);
      return family !== 0 && blocks.check(canonical, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

export const noTrustedProxies: TrustedProxies = parseTrustedProxies("");

/** An X-Forwarded-For entry as an address: some proxies write `1.2.3.4:5678` or `[::1]:80`. */
function forwardedAddress(entry: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const candidate = bracketed
    ? bracketed[1]!
    : /^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(entry)
      ? entry.split(":")[0]!
      : entry;
  return isIP(candidate) === 0 ? null : canonicalAddress(candidate);
}

/** Whether the request came straight from one of the trusted proxies. */
export function fromTrustedProxy(req: IncomingMessage, trusted: TrustedProxies): boolean {
  const peer = req.socket.remoteAddress;
  return peer !== undefined && trusted.has(peer);
}

export function clientIp(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = req.socket.remoteAddress;
  if (peer === undefined) return "unknown";
  let client = canonicalAddress(peer);
  if (!trusted.has(client)) return client;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop !== "");
  // Walk from the right: each entry is the address a trusted proxy saw, until one is not trusted.
  // An entry that is no address was not written by a trusted proxy; stop at the last one that was.
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = forwardedAddress(hops[i]!);
    if (hop === null) return client;
    client = hop;
    if (!trusted.has(hop)) return hop;
  }
  return client;
}
