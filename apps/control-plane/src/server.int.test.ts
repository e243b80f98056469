import { GatewayConfig } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { Client, dataPlaneToken, type Harness, startHarness } from "../test/harness.ts";
import { parseEnv } from "./env.ts";
import { currentRequestId, log } from "./log.ts";
import { createConfigBus, writeConfig } from "./services/config/publish.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ redis: true });
});
afterAll(() => h.close());

const auth = { authorization: `Bearer ${dataPlaneToken}` };

describe("health, readiness and metrics", () => {
  it("answers /healthz and /readyz with Postgres and Redis checked", async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    // Ready once both connections are up: Redis connects in the background after the start, and
    // until it has, /readyz says 503 (what a load balancer must see).
    await expect
      .poll(async () => (await fetch(`${h.url}/readyz`)).json(), { timeout: 10_000 })
      .toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  });

  it("exposes default metrics and the tRPC duration histogram by procedure and status", async () => {
    await new Client(h.url).query("auth.me");
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toContain("switchyard_cp_process_resident_memory_bytes");
    expect(text).toMatch(
      /switchyard_cp_trpc_request_duration_seconds_count\{procedure="auth.me",status="UNAUTHORIZED"\} [1-9]/,
    );
  });

  it("lists the background job metrics", async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toContain("# TYPE switchyard_cp_job_runs_total counter");
    expect(text).toContain("# TYPE switchyard_cp_job_duration_seconds histogram");
    expect(text).toContain("# TYPE switchyard_cp_job_last_success_timestamp_seconds gauge");
  });

  it("answers an unknown path with a JSON 404", async () => {
    const r = await fetch(`${h.url}/nope`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("request ids", () => {
  const me = (headers: Record<string, string> = {}) => fetch(`${h.url}/trpc/auth.me`, { headers });

  it("keeps a sane incoming X-Request-Id and answers with it", async () => {
    expect((await me({ "x-request-id": "lb-7f3a.9:1" })).headers.get("x-request-id")).toBe("lb-7f3a.9:1");
  });

  it("makes one up when there is none or it is not an id", async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect((await me()).headers.get("x-request-id")).toMatch(uuid);
    for (const bad of ["has space", "x".repeat(200), "<script>", "-starts-with-dash"]) {
      expect((await me({ "x-request-id": bad })).headers.get("x-request-id")).toMatch(uuid);
    }
  });

  it("is the request id of the lines logged while the request is handled", async () => {
    const seen: Array<string | undefined> = [];
    const spy = vi.spyOn(log, "debug").mockImplementation(() => {
      seen.push(currentRequestId());
    });
    try {
      await me({ "x-request-id": "trace-me-42" });
      await vi.waitFor(() => expect(seen).toContain("trace-me-42"));
    } finally {
      spy.mockRestore();
    }
  });
});

describe("config long-poll", () => {
  it("refuses a missing or wrong data-plane token", async () => {
    expect((await fetch(`${h.url}/data-plane/v1/config`)).status).toBe(401);
    expect(
      (await fetch(`${h.url}/data-plane/v1/config`, { headers: { authorization: "Bearer wrong" } })).status,
    ).toBe(401);
  });

  it("answers at once with the newest snapshot, valid against the proxy's schema", async () => {
    const r = await fetch(`${h.url}/data-plane/v1/config?after=0`, { headers: auth });
    expect(r.status).toBe(200);
    const config = GatewayConfig.parse(await r.json());
    expect(config.version).toBeGreaterThan(0);
    expect(config.models.map((m) => m.name)).toContain("mock-gpt");
    expect(config.keys.some((k) => k.name === "Demo key")).toBe(true);
    expect(r.headers.get("x-config-version")).toBe(String(config.version));
  });

  it("holds the request and answers 304 when nothing changes", async () => {
    const head = GatewayConfig.parse(
      await (await fetch(`${h.url}/data-plane/v1/config?after=0`, { headers: auth })).json(),
    );
    const r = await fetch(`${h.url}/data-plane/v1/config?after=${head.version}&wait=0.3`, { headers: auth });
    expect(r.status).toBe(304);
  });

  it("wakes a waiting proxy as soon as a config write commits", async () => {
    const head = GatewayConfig.parse(
      await (await fetch(`${h.url}/data-plane/v1/config?after=0`, { headers: auth })).json(),
    );
    const waiting = fetch(`${h.url}/data-plane/v1/config?after=${head.version}&wait=10`, { headers: auth });
    await new Promise((r) => setTimeout(r, 100));
    // A write made through a *different* bus, as another control-plane replica would.
    const otherReplica = await createConfigBus(h.db, inject("databaseUrl"));
    await writeConfig(
      { db: h.db, bus: otherReplica, vault: h.vault },
      { id: null, email: "test@example.com", ip: null },
      async (tx) => {
        const key = await tx.apiKey.findFirstOrThrow({ where: { name: "Demo key" } });
        await tx.apiKey.update({ where: { id: key.id }, data: { rpm: 600 } });
        return { result: null, audit: { action: "key.updated", targetType: "key", targetId: key.id } };
      },
    );
    // Not woken, the held request would end in a 304 after its 10 s: a 200 carrying the write is the wake.
    const r = await waiting;
    expect(r.status).toBe(200);
    const next = GatewayConfig.parse(await r.json());
    expect(next.version).toBe(head.version + 1);
    expect(next.keys.find((k) => k.name === "Demo key")?.rpm).toBe(600);
    await otherReplica.close();
  });

  it("rejects a malformed version", async () => {
    const r = await fetch(`${h.url}/data-plane/v1/config?after=-1`, { headers: auth });
    expect(r.status).toBe(400);
  });
});

describe("environment", () => {
  it("refuses to start without DATABASE_URL and names the variable", () => {
    expect(() => parseEnv({ DATA_PLANE_TOKEN: "x".repeat(20) })).toThrow(/DATABASE_URL/);
  });
  it("names a malformed variable and says what is expected", () => {
    expect(() =>
      parseEnv({ DATABASE_URL: "mysql://x", DATA_PLANE_TOKEN: "short", CONTROL_PLANE_PORT: "abc" }),
    ).toThrow(
      /DATABASE_URL must start with postgresql:\/\/[\s\S]*CONTROL_PLANE_PORT[\s\S]*DATA_PLANE_TOKEN must be at least 16/,
    );
  });
  const base = {
    DATABASE_URL: "postgresql://postgres@127.0.0.1/x",
    DATA_PLANE_TOKEN: "x".repeat(20),
    MASTER_KEYS: `1:${"a".repeat(64)}`,
  };
  it("reads TRUSTED_PROXIES as addresses and ranges, trusting none by default", () => {
    expect(parseEnv(base).TRUSTED_PROXIES.entries).toEqual([]);
    const trusted = parseEnv({ ...base, TRUSTED_PROXIES: "127.0.0.1,::1, 172.28.0.0/24" }).TRUSTED_PROXIES;
    expect(trusted.has("::1")).toBe(true);
    expect(trusted.has("172.28.0.9")).toBe(true);
    expect(trusted.has("203.0.113.7")).toBe(false);
    expect(() => parseEnv({ ...base, TRUSTED_PROXIES: "dashboard" })).toThrow(
      /TRUSTED_PROXIES "dashboard" is not an IP address or CIDR range/,
    );
  });
  it("refuses the old TRUST_PROXY, saying what replaced it", () => {
    expect(() => parseEnv({ ...base, TRUST_PROXY: "true" })).toThrow(
      /TRUST_PROXY is no longer read: set TRUSTED_PROXIES/,
    );
    expect(() => parseEnv({ ...base, TRUST_PROXY: "" })).not.toThrow();
  });
  it("reads DASHBOARD_ORIGINS as origins", () => {
    expect(parseEnv(base).DASHBOARD_ORIGINS).toEqual([]);
    expect(
      parseEnv({ ...base, DASHBOARD_ORIGINS: "https://Gateway.example.com/, http://127.0.0.1:3000" })
        .DASHBOARD_ORIGINS,
    ).toEqual(["https://gateway.example.com", "http://127.0.0.1:3000"]);
    expect(() => parseEnv({ ...base, DASHBOARD_ORIGINS: "https://gateway.example.com/app" })).toThrow(
      /DASHBOARD_ORIGINS "https:\/\/gateway.example.com\/app" is not an origin/,
    );
  });
  it("gives sessions an absolute lifetime of 7 days unless told otherwise", () => {
    expect(parseEnv(base).SESSION_MAX_LIFETIME_HOURS).toBe(168);
    expect(parseEnv({ ...base, SESSION_MAX_LIFETIME_HOURS: "24" }).SESSION_MAX_LIFETIME_HOURS).toBe(24);
  });
});
