/**
 * The dashboard server in front of a real control plane, as a browser and an attacker reach it:
 * the dashboard's own pages act with the session cookie, another origin's page cannot, and no path
 * through /trpc reaches the control plane's other endpoints.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoEmails, demoPasswords, type Harness, startHarness } from "../apps/control-plane/test/harness.ts";
import { type DashboardServer, startDashboardServer } from "../apps/dashboard/server.ts";

let cp: Harness;
let dashboard: DashboardServer;
let dist: string;
beforeAll(async () => {
  cp = await startHarness();
  dist = mkdtempSync(path.join(tmpdir(), "dashboard-dist-"));
  writeFileSync(path.join(dist, "index.html"), "<!doctype html><div id=root></div>");
  dashboard = await startDashboardServer({
    port: 0,
    host: "127.0.0.1",
    controlPlaneUrl: cp.url,
    distDir: dist,
  });
});
afterAll(async () => {
  await dashboard.close();
  await cp.close();
  rmSync(dist, { recursive: true, force: true });
});

/** The headers a browser sends on a fetch from a page of `origin`. */
function fromPage(origin: string, cookie?: string): Record<string, string> {
  const site = origin === dashboard.url ? "same-origin" : "same-site";
  return { origin, "sec-fetch-site": site, ...(cookie ? { cookie } : {}) };
}

async function signIn(): Promise<string> {
  const r = await fetch(`${dashboard.url}/trpc/auth.login`, {
    method: "POST",
    headers: { ...fromPage(dashboard.url), "content-type": "application/json" },
    body: JSON.stringify({ email: demoEmails.finance, password: demoPasswords.finance }),
  });
  expect(r.status).toBe(200);
  return r.headers.getSetCookie()[0]!.split(";")[0]!;
}

function rawGet(target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(dashboard.url);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: target }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      })
      .on("error", reject);
  });
}

describe("the dashboard server in front of the control plane", () => {
  it("lets the dashboard's own pages sign in and act", async () => {
    const cookie = await signIn();
    const me = await fetch(`${dashboard.url}/trpc/auth.me`, { headers: fromPage(dashboard.url, cookie) });
    expect(me.status).toBe(200);
  });

  it("refuses another origin's page, even on the same host, and the session survives", async () => {
    const cookie = await signIn();
    const attacker = "http://127.0.0.1:9999";
    const body = new FormData();
    body.append("x", "1");
    const formPost = await fetch(`${dashboard.url}/trpc/auth.logout`, {
      method: "POST",
      headers: fromPage(attacker, cookie),
      body,
    });
    expect(formPost.status).toBe(403);
    const jsonPost = await fetch(`${dashboard.url}/trpc/auth.logout`, {
      method: "POST",
      headers: { ...fromPage(attacker, cookie), "content-type": "application/json" },
    });
    expect(jsonPost.status).toBe(403);
    const me = await fetch(`${dashboard.url}/trpc/auth.me`, { headers: fromPage(dashboard.url, cookie) });
    expect(me.status).toBe(200);
  });

  it("reaches neither /metrics nor the data-plane API through /trpc", async () => {
    for (const target of ["/trpc/../metrics", "/trpc/%2e%2e/metrics", "/trpc/../data-plane/v1/config"]) {
      const r = await rawGet(target);
      expect(r.status, target).toBe(400);
      expect(r.body).not.toContain("switchyard_cp_");
    }
  });
});
