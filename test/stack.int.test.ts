/**
 * The quick start's wiring, as `pnpm start` runs it (on the run's database instead of the embedded
 * one): every service comes up, quickstart.json says how to reach them, the dashboard serves and
 * proxies the API, and the demo key gets a completion through the proxy, JSON and streamed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dropDatabase, poolConfigFromUrl, withDatabase } from "../packages/db/src/index.ts";
import { ensureDashboardBuilt, type QuickstartInfo, type Stack, startStack } from "../scripts/stack.ts";

let stack: Stack;
let dataDir: string;
// A database of its own: the demo users must not exist yet, as on a first `pnpm start`.
const databaseUrl = withDatabase(
  inject("databaseUrl"),
  `${poolConfigFromUrl(inject("databaseUrl")).database}_stack`,
);
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-stack-"));
  ensureDashboardBuilt(() => {});
  stack = await startStack({
    databaseUrl,
    dataDir,
    ports: { dashboard: 0, controlPlane: 0, proxy: 0, mockProvider: 0 },
    log: () => {},
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await dropDatabase(databaseUrl);
  rmSync(dataDir, { recursive: true, force: true });
});

const chat = (body: object) =>
  fetch(`${stack.info.proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.info.demoApiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: stack.info.demoModel,
      messages: [{ role: "user", content: "Hello" }],
      ...body,
    }),
  });

describe("the quick-start stack", () => {
  it("writes quickstart.json with every URL, the three demo logins, the demo key and model", () => {
    const info = JSON.parse(readFileSync(path.join(dataDir, "quickstart.json"), "utf8")) as QuickstartInfo;
    for (const url of [info.dashboardUrl, info.controlPlaneUrl, info.proxyUrl, info.mockProviderUrl]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(info.users.map((u) => u.role).sort()).toEqual(["admin", "finance", "reviewer"]);
    for (const u of info.users) expect(u.password.length).toBeGreaterThanOrEqual(12);
    expect(info.demoApiKey).toMatch(/^sk-sy-/);
    expect(info.demoModel).toBe("mock-gpt");
  });

  it("serves a completion for the demo key through the proxy", async () => {
    const r = await chat({});
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      choices: Array<{ message: { content: string } }>;
      usage: { total_tokens: number };
    };
    expect(body.choices[0]?.message.content).toContain("Mock reply to: Hello");
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    expect(Number(r.headers.get("x-switchyard-config-version"))).toBeGreaterThan(0);
  });

  it("streams a completion for the demo key through the proxy", async () => {
    const r = await chat({ stream: true, stream_options: { include_usage: true } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await r.text();
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    expect(text).toContain('"usage":{"prompt_tokens"');
  });

  it("refuses a wrong key", async () => {
    const r = await fetch(`${stack.info.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-sy-wrong", "content-type": "application/json" },
      body: "{}",
    });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
  });

  it("serves the dashboard and proxies the API same-origin, so a demo user can sign in there", async () => {
    const page = await fetch(`${stack.info.dashboardUrl}/audit`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const admin = stack.info.users.find((u) => u.role === "admin")!;
    const login = await fetch(`${stack.info.dashboardUrl}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.getSetCookie()[0]).toMatch(/^sy_session=.+HttpOnly/);
  });

  it("reports health on every service", async () => {
    for (const url of [stack.info.controlPlaneUrl, stack.info.proxyUrl, stack.info.mockProviderUrl]) {
      expect((await fetch(`${url}/healthz`)).status, url).toBe(200);
    }
    expect((await fetch(`${stack.info.controlPlaneUrl}/readyz`)).status).toBe(200);
  });
});
