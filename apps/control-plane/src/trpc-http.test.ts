import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { noTrustedProxies, parseTrustedProxies } from "./client-ip.ts";
import { type BrowserOriginPolicy, procedurePaths, refuseTrpcRequest } from "./trpc-http.ts";

function req(headers: Record<string, string>, method = "GET", peer = "127.0.0.1"): IncomingMessage {
  return { method, headers, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
}
const url = new URL("http://cp/trpc/auth.me");
const direct: BrowserOriginPolicy = { trustedProxies: noTrustedProxies, dashboardOrigins: [] };

describe("refuseTrpcRequest: origins", () => {
  it("accepts the request's own host, with default ports and case folded", () => {
    expect(
      refuseTrpcRequest(req({ host: "gw.example.com", origin: "https://GW.example.com" }), url, direct),
    ).toBe(null);
    expect(
      refuseTrpcRequest(req({ host: "gw.example.com:80", origin: "http://gw.example.com" }), url, direct),
    ).toBe(null);
  });

  it("refuses another port of the same host", () => {
    const r = refuseTrpcRequest(
      req({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:9999" }),
      url,
      direct,
    );
    expect(r).toMatchObject({ status: 403, code: "FORBIDDEN" });
  });

  it("accepts a configured dashboard origin behind a proxy that rewrites Host", () => {
    const policy = { ...direct, dashboardOrigins: ["https://gateway.example.com"] };
    const headers = { host: "control-plane:4000", origin: "https://gateway.example.com" };
    expect(refuseTrpcRequest(req(headers), url, policy)).toBe(null);
    expect(refuseTrpcRequest(req(headers), url, direct)).toMatchObject({ status: 403 });
  });

  it("reads X-Forwarded-Host only from a trusted proxy", () => {
    const headers = {
      host: "control-plane:4000",
      origin: "http://localhost:3000",
      "x-forwarded-host": "localhost:3000, lb.internal",
    };
    const viaDashboard = { ...direct, trustedProxies: parseTrustedProxies("172.28.0.10") };
    expect(refuseTrpcRequest(req(headers, "GET", "172.28.0.10"), url, viaDashboard)).toBe(null);
    expect(refuseTrpcRequest(req(headers, "GET", "172.28.0.99"), url, viaDashboard)).toMatchObject({
      status: 403,
    });
  });

  it("refuses Sec-Fetch-Site cross-site whatever the Origin says, and same-site without an allowed Origin", () => {
    const own = { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" };
    expect(refuseTrpcRequest(req({ ...own, "sec-fetch-site": "cross-site" }), url, direct)).toMatchObject({
      status: 403,
    });
    expect(refuseTrpcRequest(req({ ...own, "sec-fetch-site": "same-origin" }), url, direct)).toBe(null);
    expect(refuseTrpcRequest(req({ host: "a", "sec-fetch-site": "same-site" }), url, direct)).toMatchObject({
      status: 403,
    });
    expect(refuseTrpcRequest(req({ host: "a", "sec-fetch-site": "none" }), url, direct)).toBe(null);
  });
});

describe("refuseTrpcRequest: bodies and batches", () => {
  it("wants JSON for a POST, and refuses a Content-Length over the limit", () => {
    const post = (headers: Record<string, string>) => refuseTrpcRequest(req(headers, "POST"), url, direct);
    expect(post({ "content-type": "application/json" })).toBe(null);
    expect(post({ "content-type": "multipart/form-data; boundary=x" })).toMatchObject({ status: 415 });
    expect(
      post({ "content-type": "application/json", "content-length": String(2 * 1024 * 1024) }),
    ).toMatchObject({
      status: 413,
    });
  });

  it("counts a batch's procedure paths", () => {
    expect(procedurePaths(new URL("http://cp/trpc/a,b,c?batch=1"))).toEqual(["a", "b", "c"]);
    expect(procedurePaths(new URL("http://cp/trpc/a%2Cb?batch=1"))).toEqual(["a", "b"]);
    expect(procedurePaths(new URL("http://cp/trpc/a,b"))).toEqual(["a,b"]);
  });
});
