/**
 * The proxy end to end over real HTTP: the real mock provider upstream, a fake control plane
 * serving GatewayConfig snapshots over the long-poll contract, and the proxy in between.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayConfig } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "./index.ts";
import { silentLogger } from "./logger.ts";
import { createFakeControlPlane } from "./testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "./testing/gateway-config.ts";
import { freePort } from "./testing/ports.ts";

const token = "test-data-plane-token";
const maxBodyBytes = 64 * 1024;
const past = "2020-01-01T00:00:00.000Z";
const future = "2099-01-01T00:00:00.000Z";
const messages = [{ role: "user", content: "Say hello" }];

let mock: MockProvider;
let controlPlane: ReturnType<typeof createFakeControlPlane>;
let proxy: ProxyServer;
let proxyUrl: string;
let snapshotPath: string;
let deadPort: number;
let config: GatewayConfig;
let cpUrl: string;
const controlPlaneUrl = () => cpUrl;

function buildConfig(mockUrl: string): GatewayConfig {
  return gatewayConfig({
    keys: [
      testKey({ id: "k_live", secrets: [{ secret: "sk-live" }, { secret: "sk-old", validUntil: past }] }),
      testKey({ id: "k_limited", secrets: [{ secret: "sk-limited" }], allowedModels: ["gpt-other"] }),
      testKey({ id: "k_revoked", secrets: [{ secret: "sk-revoked" }], revokedAt: past }),
      testKey({ id: "k_expired", secrets: [{ secret: "sk-expired" }], expiresAt: past }),
      testKey({ id: "k_doomed", secrets: [{ secret: "sk-doomed" }], expiresAt: future }),
      // Each changed by one case of "configuration updates" alone, so the others never see it change.
      testKey({ id: "k_persisted", secrets: [{ secret: "sk-persisted" }] }),
      testKey({ id: "k_dropped", secrets: [{ secret: "sk-dropped" }] }),
    ],
    providers: [
      testProvider({ baseUrl: `${mockUrl}/v1` }),
      testProvider({ id: "prov_down", name: "down", baseUrl: `http://127.0.0.1:${deadPort}/v1` }),
      testProvider({
        id: "prov_sealed",
        name: "sealed",
        baseUrl: `${mockUrl}/v1`,
        credentials: [
          {
            id: "cred_sealed",
            role: "primary",
            sealed: { keyVersion: 1, iv: "aXY=", tag: "dGFn", ciphertext: "Y3Q=" },
          },
        ],
      }),
    ],
    models: [
      testModel(),
      testModel({ name: "gpt-other", deployments: [{ id: "dep_other" }] }),
      testModel({
        name: "gpt-slow",
        deployments: [{ id: "dep_slow", timeouts: { connectMs: 1000, firstByteMs: 300, totalMs: 10_000 } }],
      }),
      testModel({ name: "gpt-refused", deployments: [{ id: "dep_down", providerId: "prov_down" }] }),
      testModel({ name: "gpt-sealed", deployments: [{ id: "dep_sealed", providerId: "prov_sealed" }] }),
      testModel({ name: "embed-test", kind: "embedding", deployments: [{ id: "dep_embed" }] }),
    ],
  });
}

/** Publishes the next version of the config, changed by `change`. */
function publish(change: (next: GatewayConfig) => void = () => {}): GatewayConfig {
  const next = structuredClone(config);
  next.version = config.version + 1;
  next.createdAt = new Date().toISOString();
  change(next);
  config = next;
  controlPlane.publish(next);
  return next;
}

function chat(
  body: unknown,
  options: { key?: string | null; headers?: Record<string, string>; url?: string } = {},
) {
  const { key = "sk-live", headers = {}, url = proxyUrl } = options;
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function errorOf(
  res: Response,
): Promise<{ status: number; code: string; type: string; message: string }> {
  const body = (await res.json()) as {
    error: { code: string; type: string; message: string; param: unknown };
  };
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  return { status: res.status, ...body.error };
}

async function metricsText(url = proxyUrl): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

beforeAll(async () => {
  deadPort = await freePort();
  mock = createMockProvider({ knobs: { recordRequests: 10 } });
  const { url: mockUrl } = await mock.listen();
  controlPlane = createFakeControlPlane({ token, holdMs: 1000 });
  cpUrl = await controlPlane.listen();
  config = buildConfig(mockUrl);
  controlPlane.publish(config);

  snapshotPath = join(await mkdtemp(join(tmpdir(), "proxy-int-")), "snapshot.json");
  proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath,
    maxBodyBytes,
    logger: silentLogger,
    pollBackoff: { initialMs: 50, maxMs: 200 },
  });
  ({ url: proxyUrl } = await proxy.listen(0));
  await vi.waitFor(() => expect(proxy.configStore.version).toBe(1), { timeout: 5000 });
});

afterAll(async () => {
  await proxy?.close();
  await controlPlane?.close();
  await mock?.close();
});

beforeEach(() => {
  mock.reset();
});

describe("JSON chat completions", () => {
  it("forwards to the deployment's upstream model and relays the answer with the proxy's headers", async () => {
    const res = await chat({ model: "gpt-test", messages }, { headers: { "x-request-id": "client-req-1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const requestId = res.headers.get("x-request-id");
    // The proxy's own id (it keys usage events, so a client cannot choose it); the client's is echoed.
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-client-request-id")).toBe("client-req-1");
    expect(res.headers.get("x-switchyard-model")).toBe("gpt-test");
    expect(res.headers.get("x-switchyard-deployment")).toBe("dep_mock");
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    expect(res.headers.get("x-switchyard-config-version")).toBe(String(config.version));
    const body = (await res.json()) as {
      object: string;
      choices: unknown[];
      usage: { total_tokens: number };
    };
    expect(body.object).toBe("chat.completion");
    expect(body.choices).toHaveLength(1);
    expect(body.usage.total_tokens).toBeGreaterThan(0);

    const [upstream] = mock.requests();
    expect(upstream?.url).toBe("/v1/chat/completions");
    expect(upstream?.body).toEqual({ model: "mock-gpt", messages });
    expect(upstream?.headers.authorization).toBeUndefined();
    expect(upstream?.headers["x-request-id"]).toBe(requestId);
  });

  it("gives every request its own id, even when a client repeats its own x-request-id", async () => {
    const first = await chat({ model: "gpt-test", messages }, { headers: { "x-request-id": "same" } });
    const second = await chat({ model: "gpt-test", messages }, { headers: { "x-request-id": "same" } });
    expect(first.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    expect(second.headers.get("x-client-request-id")).toBe("same");
  });

  it("does not echo an unusable client request id", async () => {
    const junk = await chat({ model: "gpt-test", messages }, { headers: { "x-request-id": "a b<c>" } });
    expect(junk.headers.get("x-client-request-id")).toBeNull();
    const long = await chat(
      { model: "gpt-test", messages },
      { headers: { "x-request-id": "x".repeat(129) } },
    );
    expect(long.headers.get("x-client-request-id")).toBeNull();
  });
});

describe("streaming chat completions", () => {
  it("pipes the SSE stream chunk by chunk, usage included", async () => {
    mock.setKnobs({ tokensPerSecond: 40, completionTokens: 8 });
    const res = await chat({
      model: "gpt-test",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-switchyard-deployment")).toBe("dep_mock");

    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const arrivals: number[] = [];
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(performance.now());
      text += decoder.decode(value, { stream: true });
    }
    // Paced at 40 tokens/s, the chunks cannot have been buffered into one write.
    expect(arrivals.length).toBeGreaterThan(3);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(50);

    const events = text.split("\n\n").filter((e) => e.startsWith("data: "));
    expect(events.at(-1)).toBe("data: [DONE]");
    const usageEvent = events.map((e) => e.slice(6)).find((e) => e.includes('"usage":{'));
    expect(JSON.parse(usageEvent!).usage).toMatchObject({ completion_tokens: 8 });
    expect(mock.stats().streams.completed).toBe(1);
    expect(await metricsText()).toMatch(/switchyard_proxy_ttft_seconds_count\{model="gpt-test"\} [1-9]/);
  });

  it("aborts the upstream stream when the client goes away", async () => {
    mock.setKnobs({ tokensPerSecond: 20, completionTokens: 400 });
    const res = await chat({ model: "gpt-test", messages, stream: true });
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel(); // closes the connection to the proxy
    await vi.waitFor(() => expect(mock.stats().streams.aborted).toBe(1), { timeout: 3000 });
    expect(mock.stats().streams.completed).toBe(0);
    expect(mock.stats().inFlight).toBe(0);
  });

  it("ends the client stream with an error event when the upstream drops mid-stream", async () => {
    mock.setKnobs({ dropAfterChunks: 3 });
    const res = await chat({ model: "gpt-test", messages, stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("[DONE]");
    const events = text.split("\n\n").filter((e) => e.length > 0);
    const last = JSON.parse(events.at(-1)!.slice("data: ".length)) as { error: { code: string } };
    expect(last.error.code).toBe("upstream_error");
    expect(mock.stats().streams.dropped).toBe(1);
    // The proxy is still serving.
    expect((await chat({ model: "gpt-test", messages })).status).toBe(200);
  });
});

describe("authentication", () => {
  it("refuses missing, unknown and rotated-out keys as invalid_api_key", async () => {
    for (const key of [null, "sk-nope", "sk-old"]) {
      const res = await chat({ model: "gpt-test", messages }, { key });
      expect(await errorOf(res)).toMatchObject({
        status: 401,
        code: "invalid_api_key",
        type: "authentication_error",
      });
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect(res.headers.get("x-switchyard-config-version")).toBe(String(config.version));
    }
  });

  it("refuses revoked and expired keys with their own codes", async () => {
    expect(await errorOf(await chat({ model: "gpt-test", messages }, { key: "sk-revoked" }))).toMatchObject({
      status: 401,
      code: "key_revoked",
    });
    expect(await errorOf(await chat({ model: "gpt-test", messages }, { key: "sk-expired" }))).toMatchObject({
      status: 401,
      code: "key_expired",
    });
    expect(mock.stats().total).toBe(0);
  });
});

describe("models", () => {
  it("refuses a model outside the key's allowed list, and an unknown one", async () => {
    expect(await errorOf(await chat({ model: "gpt-test", messages }, { key: "sk-limited" }))).toMatchObject({
      status: 403,
      code: "model_not_allowed",
      type: "permission_error",
    });
    expect((await chat({ model: "gpt-other", messages }, { key: "sk-limited" })).status).toBe(200);
    expect(await errorOf(await chat({ model: "gpt-nope", messages }))).toMatchObject({
      status: 404,
      code: "model_not_found",
    });
  });

  it("lists only the models the key may use", async () => {
    const list = async (key: string) => {
      const res = await fetch(`${proxyUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
      expect(body.object).toBe("list");
      return body.data.map((m) => m.id);
    };
    expect(await list("sk-limited")).toEqual(["gpt-other"]);
    expect(await list("sk-live")).toContain("gpt-test");
    const refused = await fetch(`${proxyUrl}/v1/models`);
    expect(await errorOf(refused)).toMatchObject({ status: 401, code: "invalid_api_key" });
  });
});

describe("bad input", () => {
  it("answers 413 for a body over the limit, declared or not", async () => {
    const big = JSON.stringify({
      model: "gpt-test",
      messages: [{ role: "user", content: "x".repeat(maxBodyBytes) }],
    });
    const declared = await chat(big);
    expect(await errorOf(declared)).toMatchObject({ status: 413, code: "payload_too_large" });

    // Chunked, with no content-length: the proxy stops reading once past the limit.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-live", "content-type": "application/json" },
      });
      req.on("response", (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      const piece = "x".repeat(16 * 1024);
      for (let i = 0; i < 6; i++) req.write(piece);
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.message).toContain("64 KiB");
    expect(mock.stats().total).toBe(0);
  });

  it("says what is wrong with malformed JSON and wrong types", async () => {
    const malformed = await errorOf(await chat('{"model": "gpt-test", "messages": ['));
    expect(malformed).toMatchObject({ status: 400, code: "invalid_request", type: "invalid_request_error" });
    expect(malformed.message).toMatch(/not valid JSON/);

    const wrongType = await chat({ model: "gpt-test", messages: "hello" });
    const body = (await wrongType.json()) as { error: { param: string; message: string } };
    expect(wrongType.status).toBe(400);
    expect(body.error.param).toBe("messages");
    expect((await chat({ model: 7, messages })).status).toBe(400);
    expect(await errorOf(await chat({ model: "embed-test", messages }))).toMatchObject({ status: 400 });
  });

  it("answers unknown routes with a 404 in the OpenAI shape", async () => {
    const res = await fetch(`${proxyUrl}/v1/completions`, { method: "POST" });
    expect(await errorOf(res)).toMatchObject({ status: 404, code: "not_found" });
  });
});

describe("upstream failures", () => {
  it("turns an upstream 500 into a 502 upstream_error", async () => {
    mock.setKnobs({ errorStatus: 500 });
    const res = await chat({ model: "gpt-test", messages });
    expect(await errorOf(res)).toMatchObject({ status: 502, code: "upstream_error", type: "api_error" });
    // A 5xx is retried once on the same deployment; the alias has no other to fail over to.
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
  });

  it("passes an upstream 429 through with its Retry-After", async () => {
    mock.setKnobs({ rateLimit: 7 });
    const res = await chat({ model: "gpt-test", messages });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
  });

  it("passes an OpenAI-shaped upstream 400 through as sent", async () => {
    mock.setKnobs({ errorStatus: 400 });
    const res = await chat({ model: "gpt-test", messages });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Mock error 400/);
  });

  it("answers 504 when the upstream does not answer within firstByteMs", async () => {
    mock.setKnobs({ latencyMs: 2000 });
    const res = await chat({ model: "gpt-slow", messages });
    const error = await errorOf(res);
    expect(error).toMatchObject({ status: 504, code: "upstream_timeout" });
    expect(error.message).toContain("300 ms");
  });

  it("answers 502 when the upstream refuses the connection", async () => {
    expect(await errorOf(await chat({ model: "gpt-refused", messages }))).toMatchObject({
      status: 502,
      code: "upstream_error",
    });
  });

  it("answers 502 for a provider whose credential it cannot decrypt", async () => {
    const error = await errorOf(await chat({ model: "gpt-sealed", messages }));
    expect(error).toMatchObject({ status: 502, code: "upstream_error" });
    expect(error.message).toMatch(/could not be decrypted.*DATA_PLANE_TOKEN/);
  });
});

describe("health and metrics", () => {
  it("reports the enforced config version", async () => {
    const res = await fetch(`${proxyUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      configVersion: config.version,
      configAgeSeconds: expect.any(Number),
    });
  });

  it("exposes request, config and process metrics", async () => {
    await chat({ model: "gpt-test", messages });
    const text = await metricsText();
    expect(text).toMatch(
      /switchyard_proxy_requests_total\{model="gpt-test",provider="mock",status="200"\} \d+/,
    );
    expect(text).toContain('switchyard_proxy_request_duration_seconds_bucket{le="0.005",model="gpt-test"');
    expect(text).toMatch(
      /switchyard_proxy_upstream_latency_seconds_count\{provider="mock",status="200"\} [1-9]/,
    );
    expect(text).toContain(`switchyard_proxy_config_version ${config.version}`);
    expect(text).toMatch(/switchyard_proxy_config_reloads_total\{result="success"\} [1-9]/);
    expect(text).toContain("switchyard_proxy_process_cpu_user_seconds_total");
  });
});

describe("shutdown", () => {
  it("stops accepting but lets an in-flight request finish", async () => {
    const second = createProxy({
      controlPlaneUrl: controlPlaneUrl(),
      dataPlaneToken: token,
      snapshotPath: null,
      logger: silentLogger,
    });
    const { url } = await second.listen(0);
    await vi.waitFor(() => expect(second.configStore.version).toBe(config.version), { timeout: 3000 });
    mock.setKnobs({ latencyMs: 400 });
    const inFlight = chat({ model: "gpt-test", messages }, { url });
    await vi.waitFor(() => expect(mock.stats().inFlight).toBe(1));
    const closed = second.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string }).object).toBe("chat.completion");
    await closed;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe("configuration updates", () => {
  it("enforces a key revoked in the control plane", async () => {
    expect((await chat({ model: "gpt-test", messages }, { key: "sk-doomed" })).status).toBe(200);
    publish((next) => {
      const key = next.keys.find((k) => k.id === "k_doomed")!;
      key.revokedAt = new Date().toISOString();
    });
    await vi.waitFor(
      async () => {
        const res = await chat({ model: "gpt-test", messages }, { key: "sk-doomed" });
        expect(await errorOf(res)).toMatchObject({ status: 401, code: "key_revoked" });
      },
      // Ample for a long-poll wake-up; how soon is measured by bench/enforcement.ts, not here.
      { timeout: 10_000, interval: 20 },
    );
    expect(proxy.configStore.version).toBe(config.version);
  });

  it("persists the snapshot, so a restart during a control-plane outage still serves", async () => {
    // The newest snapshot is the one kept: it revokes a key the one before it accepted.
    const revoked = publish((next) => {
      next.keys.find((k) => k.id === "k_persisted")!.revokedAt = new Date().toISOString();
    });
    await vi.waitFor(() => expect(proxy.configStore.version).toBe(revoked.version), { timeout: 10_000 });
    await vi.waitFor(
      async () => {
        const saved = JSON.parse(await readFile(snapshotPath, "utf8")) as GatewayConfig;
        expect(saved.version).toBe(config.version);
      },
      { timeout: 3000 },
    );
    const restarted = createProxy({
      controlPlaneUrl: `http://127.0.0.1:${deadPort}`,
      dataPlaneToken: token,
      snapshotPath,
      logger: silentLogger,
    });
    try {
      const { url } = await restarted.listen(0);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", configVersion: config.version });
      const res = await chat({ model: "gpt-test", messages }, { url });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-config-version")).toBe(String(config.version));
      expect(
        await errorOf(await chat({ model: "gpt-test", messages }, { url, key: "sk-persisted" })),
      ).toMatchObject({ status: 401, code: "key_revoked" });
    } finally {
      await restarted.close();
    }
  });

  it("rejects an invalid snapshot file at start and waits for a good config", async () => {
    const badPath = join(await mkdtemp(join(tmpdir(), "proxy-int-bad-")), "snapshot.json");
    await writeFile(badPath, JSON.stringify({ ...config, keys: "not-a-list" }));
    const restarted = createProxy({
      controlPlaneUrl: `http://127.0.0.1:${deadPort}`,
      dataPlaneToken: token,
      snapshotPath: badPath,
      logger: silentLogger,
    });
    try {
      const { url } = await restarted.listen(0);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: "no_config" });
      expect(await errorOf(await chat({ model: "gpt-test", messages }, { url }))).toMatchObject({
        status: 503,
        code: "service_unavailable",
      });
      expect(await metricsText(url)).toMatch(/switchyard_proxy_config_reloads_total\{result="invalid"\} 1/);
    } finally {
      await restarted.close();
    }
  });

  it("keeps the old snapshot when the control plane sends an invalid one, and takes the next good one", async () => {
    const enforced = config.version;
    controlPlane.publish({ ...config, version: enforced + 1, keys: "not-a-list" });
    await vi.waitFor(
      async () =>
        expect(await metricsText()).toMatch(/switchyard_proxy_config_reloads_total\{result="invalid"\} 1/),
      { timeout: 3000 },
    );
    expect(proxy.configStore.version).toBe(enforced);
    const health = (await (await fetch(`${proxyUrl}/healthz`)).json()) as { configVersion: number };
    expect(health.configVersion).toBe(enforced);
    expect((await chat({ model: "gpt-test", messages }, { key: "sk-dropped" })).status).toBe(200);
    // The file is written after the swap: the snapshot before this case's may still be on its way.
    await vi.waitFor(
      async () => expect(JSON.parse(await readFile(snapshotPath, "utf8")).version).toBe(enforced),
      { timeout: 3000 },
    );

    config.version = enforced + 1; // the rejected one
    const next = publish((c) => {
      c.keys = c.keys.filter((k) => k.id !== "k_dropped");
    });
    await vi.waitFor(() => expect(proxy.configStore.version).toBe(next.version), { timeout: 3000 });
    expect(await errorOf(await chat({ model: "gpt-test", messages }, { key: "sk-dropped" }))).toMatchObject({
      code: "invalid_api_key",
    });
  });
});
