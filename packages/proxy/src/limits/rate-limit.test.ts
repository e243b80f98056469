/**
 * The rate limiter's per-replica leases (ADR 0007) over the in-process store: most requests of a
 * key with large limits are admitted without a store round trip, the sum of what replicas admit
 * and hold never exceeds the limit, unused leases go back, and small limits stay exact.
 */
import { createMemoryStore, type KvStore } from "@switchyard/store";
import { describe, expect, it } from "vitest";
import type { CompiledKey } from "../config/compile.ts";
import { silentLogger } from "../logger.ts";
import { createProxyMetrics } from "../metrics/metrics.ts";
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from "./rate-limit.ts";

const hour = 3_600_000;

function keyWith(rpm: number | null, tpm: number | null): CompiledKey {
  return {
    id: `key-${Math.random().toString(36).slice(2)}`,
    name: "test",
    userId: null,
    teamId: null,
    allowedModels: null,
    rpm,
    tpm,
    expiresAtMs: null,
    revokedAtMs: null,
  };
}

/** A store that counts the rate-limit checks it answers. */
function countingStore(inner: KvStore): KvStore & { checks: number } {
  const counted = {
    ...inner,
    checks: 0,
    consumeRateLimit(...args: Parameters<KvStore["consumeRateLimit"]>) {
      counted.checks += 1;
      return inner.consumeRateLimit(...args);
    },
  };
  return counted;
}

function limiter(store: KvStore, options: Partial<RateLimiterOptions> = {}): RateLimiter {
  return createRateLimiter({
    store,
    metrics: createProxyMetrics(),
    log: silentLogger,
    windowMs: hour,
    ...options,
  });
}

/** Admits until refused; returns how many got in. */
async function admitUntilRefused(rl: RateLimiter, key: CompiledKey, tokens: number, max: number) {
  let admitted = 0;
  for (let i = 0; i < max; i++) {
    try {
      await rl.admit(key, tokens, []);
      admitted += 1;
    } catch {
      return admitted;
    }
  }
  return admitted;
}

describe("rate-limit leases", () => {
  it("admits most requests of a large limit without asking the store", async () => {
    const store = countingStore(createMemoryStore());
    const rl = limiter(store);
    const key = keyWith(100_000, null);
    for (let i = 0; i < 1000; i++) {
      const headers: string[] = [];
      await rl.admit(key, 0, headers);
      expect(headers).toContain("x-ratelimit-limit-requests");
    }
    expect(store.checks).toBeGreaterThan(0);
    expect(store.checks).toBeLessThan(200);
    await rl.close();
  });

  it("never lets two replicas together past the limit, and hands unused leases back on close", async () => {
    const shared = createMemoryStore();
    const [a, b] = [limiter(shared), limiter(shared)];
    const key = keyWith(640, null);
    let admitted = 0;
    let refusedAt = -1;
    for (let i = 0; i < 800; i++) {
      try {
        await (i % 2 === 0 ? a : b).admit(key, 0, []);
        admitted += 1;
      } catch {
        refusedAt = i;
        break;
      }
    }
    expect(admitted).toBeLessThanOrEqual(640);
    // A replica may refuse while the other holds unused lease: at most one lease (1/64 of the limit).
    expect(admitted).toBeGreaterThanOrEqual(640 - 10);
    expect(refusedAt).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
    // Everything leased but not used is back: a fresh check sees exactly what was admitted.
    const check = await shared.consumeRateLimit(
      `rl:{${key.id}}`,
      { requests: 640, tokens: null, windowMs: hour },
      0,
    );
    expect(check.allowed).toBe(admitted < 640);
    expect(check.requests!.remaining).toBe(Math.max(0, 640 - admitted - 1));
  });

  it("gives an idle lease back after its time", async () => {
    const shared = createMemoryStore();
    const rl = limiter(shared, { leaseTtlMs: 30, flushIntervalMs: 10 });
    const key = keyWith(6400, null);
    await rl.admit(key, 0, []);
    const spec = { requests: 6400, tokens: null, windowMs: hour };
    await expect
      .poll(
        async () => {
          const level = await shared.consumeRateLimit(`rl:{${key.id}}`, spec, 0);
          await shared.settleTokens(`rl:{${key.id}}`, spec, 0, 1);
          return level.requests!.remaining;
        },
        { timeout: 5000, interval: 10 },
      )
      .toBe(6400 - 2);
    await rl.close();
  });

  it("keeps token refunds in the lease and returns them with it", async () => {
    const shared = createMemoryStore();
    const rl = limiter(shared);
    const key = keyWith(null, 6_400_000);
    const reservations = [];
    for (let i = 0; i < 20; i++) {
      const reservation = await rl.admit(key, 1000, []);
      expect(reservation).toEqual({ key, tokens: 1000 });
      reservations.push(reservation!);
    }
    // Each request used 100 of its 1000 tokens.
    for (const reservation of reservations) rl.settle(reservation, 100);
    await rl.close();
    const spec = { requests: null, tokens: 6_400_000, windowMs: hour };
    const level = await shared.consumeRateLimit(`rl:{${key.id}}`, spec, 0);
    // What was used is gone (plus a few tokens refilled during the test), the rest is back.
    expect(level.tokens!.remaining).toBeGreaterThanOrEqual(6_400_000 - 20 * 100);
    expect(level.tokens!.remaining).toBeLessThan(6_400_000 - 20 * 100 + 500);
  });

  it("checks small limits in the store on every request, exactly", async () => {
    const store = countingStore(createMemoryStore());
    const rl = limiter(store);
    const key = keyWith(5, null);
    expect(await admitUntilRefused(rl, key, 0, 10)).toBe(5);
    expect(store.checks).toBe(6);
    const tokensKey = keyWith(null, 100);
    expect(await admitUntilRefused(rl, tokensKey, 30, 10)).toBe(3);
    await rl.close();
  });

  it("refuses with the exact message once a leased key runs out", async () => {
    const rl = limiter(createMemoryStore());
    const key = keyWith(256, null);
    expect(await admitUntilRefused(rl, key, 0, 300)).toBe(256);
    await expect(rl.admit(key, 0, [])).rejects.toThrow(/256 requests per minute/);
    await rl.close();
  });
});
