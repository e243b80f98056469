/** The production server: static files, SPA fallback, caching, and the streaming /trpc proxy. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardServer, parseDashboardEnv, startDashboardServer } from "./server.ts";

let dist: string;
let upstream: http.Server;
let seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
let dashboard: DashboardServer;

beforeAll(async () => {
  dist = mkdtempSync(path.join(tmpdir(), "dashboard-dist-"));
  mkdirSync(path.join(dist, "assets"));
  writeFileSync(path.join(dist, "index.html"), "<!doctype html><div id=root></div>");
  writeFileSync(
    path.join(dist, "assets", "index-abc123.js"),
    `console.log(${JSON.stringify("x".repeat(4000))});`,
  );
  writeFileSync(path.join(dist, "favicon.svg"), "<svg/>");

  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url?.startsWith("/trpc/stream")) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("first,");
        setTimeout(() => res.end("second"), 50);
        return;
      }
      res.writeHead(401, {
        "content-type": "application/json",
        "set-cookie": ["sy_session=abc; HttpOnly; Path=/", "other=1; Path=/"],
      });
      res.end(JSON.stringify({ error: { message: "Sign in to continue" } }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const port = (upstream.address() as AddressInfo).port;
  dashboard = await startDashboardServer({
    port: 0,
    host: "127.0.0.1",
    controlPlaneUrl: `http://127.0.0.1:${port}`,
    distDir: dist,
  });
});

/** A GET sent with its path exactly as written (fetch would resolve the dot segments itself). */
function rawGet(target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(dashboard.url);
  return new Promise((resolve, reject) => {
    const req = http.get({ hostname, port, path: target }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
  });
}

afterAll(async () => {
  await dashboard.close();
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

describe("dashboard server", () => {
  it("serves index.html for the SPA's pages, never cached, with a CSP", async () => {
    for (const page of ["/", "/audit", "/no/such/page"]) {
      const res = await fetch(`${dashboard.url}${page}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(await res.text()).toContain("<div id=root>");
    }
  });

  it("serves hashed assets with a long cache, gzipped when the client accepts it", async () => {
    const res = await fetch(`${dashboard.url}/assets/index-abc123.js`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await res.text()).toContain("console.log");

    const raw = await new Promise<{ encoding?: string; body: Buffer }>((resolve) => {
      http.get(`${dashboard.url}/assets/index-abc123.js`, { headers: { "accept-encoding": "gzip" } }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => resolve({ encoding: r.headers["content-encoding"], body: Buffer.concat(chunks) }));
      });
    });
    expect(raw.encoding).toBe("gzip");
    expect(gunzipSync(raw.body).toString()).toContain("console.log");
  });

  it("answers 304 to a matching ETag", async () => {
    const first = await fetch(`${dashboard.url}/favicon.svg`);
    expect(first.headers.get("content-type")).toBe("image/svg+xml");
    const etag = first.headers.get("etag")!;
    const second = await fetch(`${dashboard.url}/favicon.svg`, { headers: { "if-none-match": etag } });
    expect(second.status).toBe(304);
  });

  it("gives a real 404 for a missing asset, and nothing outside dist/", async () => {
    expect((await fetch(`${dashboard.url}/assets/gone-123.js`)).status).toBe(404);
    expect((await fetch(`${dashboard.url}/missing.png`)).status).toBe(404);
    // `..` cannot climb out of dist/: a path with a dot segment is refused.
    const traversal = await rawGet("/%2e%2e/%2e%2e/%2e%2e/etc/passwd");
    expect(traversal.body).not.toContain("root:");
    expect(traversal.status).toBe(400);
  });

  it("refuses `..` in a proxied path, plain or percent-encoded, without calling the control plane", async () => {
    seen = [];
    for (const target of [
      "/trpc/../metrics",
      "/trpc/../data-plane/v1/config",
      "/trpc/%2e%2e/metrics",
      "/trpc/%2E%2E/metrics",
      "/trpc/.%2e/metrics",
      "/trpc/%2e./metrics",
      "/trpc/..%2fmetrics",
      "/trpc\\..\\metrics",
      "/api/./../metrics",
      "/trpc/./auth.me",
    ]) {
      const r = await rawGet(target);
      expect(r.status, target).toBe(400);
    }
    expect(seen).toEqual([]);
  });

  it("forwards the path it checked, not the raw one", async () => {
    seen = [];
    // `\` is `/` to a URL parser: the control plane would read this as /trpc/auth.me, and so does the check.
    const r = await rawGet("/trpc\\auth.me?input=%7B%7D");
    expect(r.status).toBe(401);
    expect(seen.map((s) => s.url)).toEqual(["/trpc/auth.me?input=%7B%7D"]);
    // A path, not a host: not under a proxied prefix, so a (missing) file, never forwarded.
    seen = [];
    expect((await rawGet("//control-plane/trpc/auth.me")).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it("proxies /trpc with the body, cookies and x-forwarded-for, and passes Set-Cookie back", async () => {
    seen = [];
    const res = await fetch(`${dashboard.url}/trpc/auth.login?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "sy_session=old" },
      body: JSON.stringify({ 0: { email: "a@example.com" } }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual(["sy_session=abc; HttpOnly; Path=/", "other=1; Path=/"]);
    expect(await res.json()).toEqual({ error: { message: "Sign in to continue" } });
    const req = seen[0]!;
    expect(req).toMatchObject({ method: "POST", url: "/trpc/auth.login?batch=1" });
    expect(req.body).toBe(JSON.stringify({ 0: { email: "a@example.com" } }));
    expect(req.headers.cookie).toBe("sy_session=old");
    expect(req.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(req.headers["x-forwarded-host"]).toBe(new URL(dashboard.url).host);
  });

  it("streams the upstream answer as it comes", async () => {
    const res = await fetch(`${dashboard.url}/trpc/stream`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("first,");
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toBe("second");
  });

  it("answers 502 when the control plane is down", async () => {
    const down = await startDashboardServer({
      port: 0,
      host: "127.0.0.1",
      controlPlaneUrl: "http://127.0.0.1:9",
      distDir: dist,
    });
    try {
      const res = await fetch(`${down.url}/api/anything`);
      expect(res.status).toBe(502);
    } finally {
      await down.close();
    }
  });
});

describe("dashboard environment", () => {
  it("has defaults for the port and host", () => {
    expect(parseDashboardEnv({ CONTROL_PLANE_URL: "http://127.0.0.1:4000" })).toEqual({
      DASHBOARD_PORT: 3000,
      DASHBOARD_HOST: "127.0.0.1",
      CONTROL_PLANE_URL: "http://127.0.0.1:4000",
    });
  });

  it("reads an empty variable as unset (DASHBOARD_HOST= used to refuse to start)", () => {
    expect(
      parseDashboardEnv({
        CONTROL_PLANE_URL: "http://127.0.0.1:4000",
        DASHBOARD_HOST: "",
        DASHBOARD_PORT: "",
      }),
    ).toMatchObject({ DASHBOARD_PORT: 3000, DASHBOARD_HOST: "127.0.0.1" });
    expect(() => parseDashboardEnv({ CONTROL_PLANE_URL: "" })).toThrow(/CONTROL_PLANE_URL is required/);
  });

  it("names the variable that is missing or wrong", () => {
    expect(() => parseDashboardEnv({})).toThrow(/CONTROL_PLANE_URL is required/);
    expect(() => parseDashboardEnv({ CONTROL_PLANE_URL: "ftp://x" })).toThrow(
      /CONTROL_PLANE_URL must be an http/,
    );
    expect(() => parseDashboardEnv({ CONTROL_PLANE_URL: "http://x", DASHBOARD_PORT: "abc" })).toThrow(
      /DASHBOARD_PORT must be a port number/,
    );
  });
});
