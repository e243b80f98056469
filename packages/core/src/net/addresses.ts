/**
 * Where a host points, as far as its text tells: cloud metadata and link-local addresses (never a
 * provider or a webhook receiver), unroutable ones, loopback and private ranges (only for something
 * deployed on the same network), or the public internet. Pure, so the forms and the control plane's
 * input schemas apply it to the literal host, and the control plane applies the same classes to the
 * addresses a host name resolves to before it connects.
 */

export type AddressClass =
  /** A cloud instance-metadata or platform endpoint: it hands out credentials to whoever asks. */
  | "metadata"
  /** 169.254.0.0/16, fe80::/10: the machine's own link, where metadata services live. */
  | "link-local"
  /** 0.0.0.0/8, ::, multicast, broadcast, 240.0.0.0/4: no one host is there. */
  | "unroutable"
  /** 127.0.0.0/8, ::1, localhost. */
  | "loopback"
  /** 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7. */
  | "private"
  | "public";

/** An address class, or `name` for a host name whose addresses are known only once it is resolved. */
export type HostClass = AddressClass | "name";

/** Host names of metadata services, which resolve to link-local addresses inside the clouds. */
const metadataNames = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.tencentyun.com",
  "metadata.platformequinix.com",
]);

/** Metadata endpoints outside 169.254.0.0/16 (Alibaba, Azure WireServer, Oracle's legacy one). */
const metadataV4 = new Set(["100.100.100.200", "168.63.129.16", "192.0.0.192"].map((a) => parseIPv4(a)));
/** AWS (Nitro) and Google Cloud IPv6 metadata endpoints, which sit in fc00::/7. */
const metadataV6 = new Set(["fd00:ec2::254", "fd20:ce::254"].map((a) => parseIPv6(a)?.join(":")));

/** Dotted-decimal IPv4 as a 32-bit number; null for anything else (URL hosts are already canonical). */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    n = n * 256 + octet;
  }
  return n;
}

/** IPv6 (brackets and a %zone allowed) as its eight 16-bit groups; null when it is not one. */
export function parseIPv6(text: string): number[] | null {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(":")) return null;
  // A dotted IPv4 tail (::ffff:1.2.3.4) is two groups.
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0] ?? "");
  const rest = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const words: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    words.push(Number.parseInt(g, 16));
  }
  return words;
}

const inV4 = (n: number, base: string, bits: number) => {
  const b = parseIPv4(base) ?? 0;
  const size = 2 ** (32 - bits);
  return Math.floor(n / size) === Math.floor(b / size);
};

function classifyIPv4(n: number): AddressClass {
  if (metadataV4.has(n) || inV4(n, "169.254.169.254", 32) || inV4(n, "169.254.170.2", 32)) return "metadata";
  if (inV4(n, "169.254.0.0", 16)) return "link-local";
  if (inV4(n, "0.0.0.0", 8) || inV4(n, "224.0.0.0", 4) || inV4(n, "240.0.0.0", 4)) return "unroutable";
  if (inV4(n, "127.0.0.0", 8)) return "loopback";
  if (
    inV4(n, "10.0.0.0", 8) ||
    inV4(n, "172.16.0.0", 12) ||
    inV4(n, "192.168.0.0", 16) ||
    inV4(n, "100.64.0.0", 10)
  )
    return "private";
  return "public";
}

function classifyIPv6(w: number[]): AddressClass {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = w;
  const v4 = w6 * 65536 + w7;
  const zeroTo = (i: number) => w.slice(0, i).every((x) => x === 0);
  if (zeroTo(8)) return "unroutable";
  if (zeroTo(7) && w7 === 1) return "loopback";
  // IPv4 carried in IPv6 reaches the IPv4 address: mapped (::ffff:a.b.c.d), the old compatible
  // form (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
  if (zeroTo(5) && w5 === 0xffff) return classifyIPv4(v4);
  if (zeroTo(6)) return classifyIPv4(v4);
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) return classifyIPv4(v4);
  if (w0 === 0x2002) return classifyIPv4(w1 * 65536 + w2);
  if (metadataV6.has(w.join(":"))) return "metadata";
  if ((w0 & 0xffc0) === 0xfe80) return "link-local";
  if ((w0 & 0xff00) === 0xff00) return "unroutable";
  if ((w0 & 0xfe00) === 0xfc00 || (w0 & 0xffc0) === 0xfec0) return "private";
  return "public";
}

/** The class of an IP address (IPv4 dotted, or IPv6); null when `address` is not an IP address. */
export function classifyAddress(address: string): AddressClass | null {
  const v4 = parseIPv4(address);
  if (v4 !== null) return classifyIPv4(v4);
  const v6 = parseIPv6(address);
  return v6 ? classifyIPv6(v6) : null;
}

/**
 * The class of a URL's host (`new URL(u).hostname`, which has already turned 2852039166 and
 * 0xa9.254.0251.254 into 169.254.169.254): the address's class for an IP literal, `metadata` or
 * `loopback` for the names that always mean those, otherwise `name`.
 */
export function classifyHost(hostname: string): HostClass {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  const address = classifyAddress(host);
  if (address) return address;
  if (metadataNames.has(host)) return "metadata";
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  return "name";
}
