import { describe, expect, it } from "vitest";
import { classifyAddress, classifyHost, parseIPv6 } from "./addresses.ts";

/** The hostname a URL gives, as the base-URL check sees it. */
const hostOf = (url: string) => classifyHost(new URL(url).hostname);

describe("classifyHost", () => {
  it("names cloud metadata endpoints, by address and by name", () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data",
      "http://169.254.170.2/v2/credentials",
      "http://100.100.100.200/latest",
      "http://168.63.129.16/",
      "http://[fd00:ec2::254]/",
      "http://[fd20:ce::254]/",
      "http://metadata.google.internal/computeMetadata/v1",
      "http://METADATA.google.internal./",
      "http://metadata/",
      "http://instance-data.ec2.internal/",
    ]) {
      expect(hostOf(url), url).toBe("metadata");
    }
  });

  it("sees through the spellings URL parsing normalizes and IPv4 carried in IPv6", () => {
    for (const url of [
      "http://2852039166/",
      "http://0xa9.0xfe.0xa9.0xfe/",
      "http://0251.0376.0251.0376/",
      "http://[::ffff:169.254.169.254]/",
      "http://[::169.254.169.254]/",
      "http://[64:ff9b::169.254.169.254]/",
      "http://[2002:a9fe:a9fe::1]/",
    ]) {
      expect(hostOf(url), url).toBe("metadata");
    }
    expect(hostOf("http://[::ffff:127.0.0.1]/")).toBe("loopback");
    expect(hostOf("http://[::ffff:10.1.2.3]/")).toBe("private");
  });

  it("tells link-local, unroutable, loopback, private and public apart", () => {
    expect(hostOf("http://169.254.1.1/")).toBe("link-local");
    expect(hostOf("http://[fe80::1]/")).toBe("link-local");
    expect(hostOf("http://[febf::1]/")).toBe("link-local");
    expect(hostOf("http://0.0.0.0/")).toBe("unroutable");
    expect(hostOf("http://0/")).toBe("unroutable");
    expect(hostOf("http://[::]/")).toBe("unroutable");
    expect(hostOf("http://224.0.0.1/")).toBe("unroutable");
    expect(hostOf("http://255.255.255.255/")).toBe("unroutable");
    expect(hostOf("http://[ff02::1]/")).toBe("unroutable");
    for (const url of ["http://127.0.0.1/", "http://127.1/", "http://127.255.0.9/", "http://[::1]/"]) {
      expect(hostOf(url), url).toBe("loopback");
    }
    for (const url of ["http://localhost/", "http://LOCALHOST./", "http://api.localhost/"]) {
      expect(hostOf(url), url).toBe("loopback");
    }
    for (const url of [
      "http://10.0.0.5/",
      "http://172.16.0.1/",
      "http://172.31.255.255/",
      "http://192.168.1.1/",
      "http://100.64.0.1/",
      "http://[fc00::1]/",
      "http://[fd12:3456::1]/",
    ]) {
      expect(hostOf(url), url).toBe("private");
    }
    for (const url of [
      "http://8.8.8.8/",
      "http://172.32.0.1/",
      "http://172.15.255.255/",
      "http://100.128.0.1/",
      "http://169.255.0.1/",
      "http://[2606:4700::1111]/",
    ]) {
      expect(hostOf(url), url).toBe("public");
    }
  });

  it("leaves other host names to be judged once resolved", () => {
    expect(hostOf("https://api.openai.com/v1")).toBe("name");
    expect(hostOf("http://vllm:8000/v1")).toBe("name");
    expect(hostOf("http://localhost.example.com/")).toBe("name");
    expect(hostOf("http://metadata.google.internal.example.com/")).toBe("name");
  });
});

describe("classifyAddress", () => {
  it("classifies what DNS answers, IPv6 zones included, and is null for a name", () => {
    expect(classifyAddress("169.254.169.254")).toBe("metadata");
    expect(classifyAddress("fe80::1%eth0")).toBe("link-local");
    expect(classifyAddress("::ffff:192.168.0.1")).toBe("private");
    expect(classifyAddress("93.184.215.14")).toBe("public");
    expect(classifyAddress("example.com")).toBeNull();
    expect(classifyAddress("1.2.3")).toBeNull();
    expect(classifyAddress("01.2.3.4")).toBeNull();
    expect(classifyAddress("256.1.1.1")).toBeNull();
  });

  it("parses IPv6 in every spelling, and nothing that is not", () => {
    expect(parseIPv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("[2001:db8::8:800:200c:417a]")).toEqual([0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]);
    expect(parseIPv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const bad of [
      "1::2::3",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "g::1",
      "::1.2.3",
      "1:2:3:4:5:6:7::8",
    ]) {
      expect(parseIPv6(bad), bad).toBeNull();
    }
  });
});
