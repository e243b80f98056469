/**
 * Per-key rate limits through the proxy: shared by two proxy instances over the real Redis,
 * in-process without Redis, token reservations settled to the real usage, and requests still
 * served (unlimited) when Redis cannot be reached.
 */
import { randomUUID } from "node:crypto";
import type { GatewayConfig } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { createRedisStore } from "@switchyard/store";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { CompiledKey } from "../config/compile.ts";
import { createProxy, type ProxyServer } from "../index.ts";
import { silentLogger } from "../logger.ts";
import { createProxyMetrics } from "../metrics/metrics.ts";
import { createFakeControlPlane } from "../testing/fake-control-plane.ts";
import { gatewayConfig, testKey } from "../testing/gateway-config.ts";
import { freePort } from "../testing/ports.ts";
import { createRateLimiter } from "./rate-limit.ts";

const token = "rate-limit-test-data-plane-token";
const messages = [{ role: "user", content: "Say hello" }];
// Fresh key ids per run: their buckets in the shared Redis never collide with an earlier run's.
const keys = {
  rpm5: { id: randomUUID(), secret: "sk-rpm-5", rpm: 5, tpm: null },
  tpm100: { id: randomUUID(), secret: "sk-tpm-100", rpm: null, tpm: 100 },
  rpm1: { id: randomUUID(), secret: "sk-rpm-1", rpm: 1, tpm: null },
  free: { id: randomUUID(), secret: "sk-unlimited", rpm: null, tpm: null },
  tpm2000: { id: randomUUID(), secret: "sk-tpm-2000", rpm: null, tpm: 2000 },
};

const compiledKey: CompiledKey = {
  id: "",
  name: "leased",
  userId: null,
  teamId: null,
  allowedModels: null,
  rpm: null,
  tpm: null,
  expiresAtMs: null,
  revokedAtMs: null,
};

let mock: MockProvider;
let cp: ReturnType<typeof createFakeControlPlane>;
let cpUrl: string;
const proxies: ProxyServer[] = [];

function config(mockUrl: string): GatewayConfig {
  return gatewayConfig({
    baseUrl: `${mockUrl}/v1`,
    keys: Object.values(keys).map((k) =>
      testKey({ id: k.id, rpm: k.rpm, tpm: k.tpm, secrets: [{ secret: k.secret }] }),
    ),
  });
}

async function startProxy(redisUrl: string | undefined): Promise<string> {
  const proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    redisUrl,
    logger: silentLogger,
    pollBackoff: { initialMs: 20, maxMs: 100 },
  });
  proxies.push(proxy);
  const { url } = await proxy.listen(0);
  await expect
    .poll(() => proxy.configStore.version, { timeout: 10_000, interval: 20, message: "the proxy's config" })
    .not.toBeNull();
  return url;
}

type ChatAnswer = {
  error: { type: string; code: string; message: string };
  usage: { total_tokens: number };
};

async function chat(url: string, secret: string, body: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    body: JSON.stringify({ model: "gpt-test", messages, ...body }),
  });
  return { res, body: (await res.json()) as ChatAnswer };
}

function limitHeaders(res: Response, kind: "requests" | "tokens") {
  return {
    limit: res.headers.get(`x-ratelimit-limit-${kind}`),
    remaining: res.headers.get(`x-ratelimit-remaining-${kind}`),
    reset: res.headers.get(`x-ratelimit-reset-${kind}`),
  };
}

beforeAll(async () => {
  mock = createMockProvider();
  const mockUrl = (await mock.listen(0)).url;
  cp = createFakeControlPlane({ token, holdMs: 200 });
  cpUrl = await cp.listen();
  cp.publish(config(mockUrl));
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await cp.close();
  await mock.close();
});

describe("rate limits", () => {
  it("enforces one rpm limit across two proxies sharing Redis", async () => {
    const redisUrl = inject("redisUrl");
    const [a, b] = [await startProxy(redisUrl), await startProxy(redisUrl)];
    const remaining: string[] = [];
    for (const url of [a, b, a, b, a]) {
      const { res } = await chat(url, keys.rpm5.secret);
      expect(res.status).toBe(200);
      const headers = limitHeaders(res, "requests");
      expect(headers.limit).toBe("5");
      expect(headers.reset).toMatch(/^\d+(ms|s)$|^1m0s$/);
      remaining.push(headers.remaining!);
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);

    const { res, body } = await chat(b, keys.rpm5.secret);
    expect(res.status).toBe(429);
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
    expect(body.error.message).toMatch(/5 requests per minute/);
    const retryAfter = Number(res.headers.get("retry-after"));
    // One request comes back every 12 s.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12);
    expect(limitHeaders(res, "requests")).toMatchObject({ limit: "5", remaining: "0" });
    expect(limitHeaders(res, "requests").reset).toMatch(/^\d+s$|^1m0s$/);
    expect(res.headers.get("x-ratelimit-limit-tokens")).toBeNull();
    expect((await chat(a, keys.rpm5.secret)).res.status).toBe(429);

    // Another key is not affected, and an unlimited key gets no rate-limit headers.
    const free = await chat(a, keys.free.secret);
    expect(free.res.status).toBe(200);
    expect(free.res.headers.get("x-ratelimit-limit-requests")).toBeNull();
  });

  it("enforces rpm in-process without Redis", async () => {
    const url = await startProxy(undefined);
    expect((await chat(url, keys.rpm1.secret)).res.status).toBe(200);
    const refused = await chat(url, keys.rpm1.secret);
    expect(refused.res.status).toBe(429);
    expect(Number(refused.res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("reserves prompt and max_tokens against tpm, then settles to the real usage", async () => {
    const url = await startProxy(inject("redisUrl"));
    const tooLarge = await chat(url, keys.tpm100.secret, { max_tokens: 500 });
    expect(tooLarge.res.status).toBe(429);
    expect(tooLarge.body.error.message).toMatch(/more than this API key's limit of 100 tokens per minute/);
    expect(tooLarge.res.headers.get("retry-after")).toBeNull();

    const first = await chat(url, keys.tpm100.secret, { max_tokens: 50 });
    expect(first.res.status).toBe(200);
    const reservation = 100 - Number(limitHeaders(first.res, "tokens").remaining);
    expect(reservation).toBeGreaterThanOrEqual(50);
    const used = first.body.usage.total_tokens as number;
    expect(used).toBeLessThan(reservation);

    // The first request was settled to what it used, so the second reserves from 100 - used.
    const second = await chat(url, keys.tpm100.secret, { max_tokens: 50 });
    expect(second.res.status).toBe(200);
    const left = Number(limitHeaders(second.res, "tokens").remaining);
    expect(left).toBeGreaterThanOrEqual(100 - used - reservation);
    expect(left).toBeLessThanOrEqual(100 - used - reservation + 1);

    const third = await chat(url, keys.tpm100.secret, { max_tokens: 50 });
    expect(third.res.status).toBe(429);
    expect(third.body.error.message).toMatch(/100 tokens per minute/);
    expect(Number(third.res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("lets a burst without max_tokens through no more tokens than the tpm limit allows", async () => {
    // Reserve first, settle later: a request that sets no max_tokens once reserved its prompt only,
    // so a burst of them was admitted on prompts alone and used far more than the limit.
    const url = await startProxy(undefined);
    const startedAt = Date.now();
    const answers = await Promise.all(Array.from({ length: 100 }, () => chat(url, keys.tpm2000.secret)));
    const elapsedMs = Date.now() - startedAt;
    const served = answers.filter((a) => a.res.status === 200);
    expect(served.length).toBeGreaterThan(0);
    for (const refused of answers.filter((a) => a.res.status !== 200)) {
      expect(refused.res.status).toBe(429);
      expect(refused.body.error.code).toBe("rate_limited");
    }
    const used = served.map((a) => a.body.usage.total_tokens);
    const total = used.reduce((sum, n) => sum + n, 0);
    // The bucket holds 2000 and refills 2000 a minute; at most one request's worth beyond that.
    const allowance = 2000 + Math.ceil((2000 * elapsedMs) / 60_000);
    expect(total).toBeLessThanOrEqual(allowance + Math.max(...used));
  });

  it("holds a leased key's limit across two replicas sharing the real Redis, and returns unused leases", async () => {
    const limit = 640;
    const kvs = [0, 1].map(() => createRedisStore(inject("redisUrl"), { prefix: inject("redisPrefix") }));
    // Commands sent before the connection is up fail (and limits fail open): wait for it.
    for (const kv of kvs) expect(await kv.ready(5000)).toBe(true);
    const limiters = kvs.map((store) =>
      createRateLimiter({ store, metrics: createProxyMetrics(), log: silentLogger, windowMs: 3_600_000 }),
    );
    const key = { ...compiledKey, id: randomUUID(), rpm: limit, tpm: null };
    // Both replicas admit at once, as two proxies under load would.
    const outcomes = await Promise.all(
      Array.from({ length: 800 }, (_, i) =>
        limiters[i % 2]!.admit(key, 0, []).then(
          () => true,
          () => false,
        ),
      ),
    );
    const admitted = outcomes.filter(Boolean).length;
    expect(admitted).toBeLessThanOrEqual(limit);
    // Requests may be refused while leases hold unused units (the other replica's, or under
    // concurrency this replica's own, granted while they were in flight): at most one lease
    // (1/64 of the limit) per replica.
    expect(admitted).toBeGreaterThanOrEqual(limit - (2 * limit) / 64);
    await Promise.all(limiters.map((l) => l.close()));
    const level = await kvs[0]!.consumeRateLimit(
      `rl:{${key.id}}`,
      { requests: limit, tokens: null, windowMs: 3_600_000 },
      0,
    );
    // Whatever was leased and not used is back in Redis.
    expect(level.allowed).toBe(admitted < limit);
    expect(level.requests!.remaining).toBe(Math.max(0, limit - admitted - 1));
    await Promise.all(kvs.map((kv) => kv.close()));
  });

  it("serves requests, unlimited, when Redis cannot be reached", async () => {
    const url = await startProxy(`redis://127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 3; i++) {
      const { res } = await chat(url, keys.rpm1.secret);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBeNull();
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const errors = /switchyard_proxy_rate_limit_store_errors_total (\d+)/.exec(metrics);
    expect(Number(errors?.[1])).toBeGreaterThanOrEqual(3);
  });
});
