/** One contract, both stores: the in-process map and the real Redis on 127.0.0.1. */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createMemoryStore } from "./memory.ts";
import { createRedisStore } from "./redis.ts";
import type { KvStore } from "./types.ts";

const stores: Array<[string, () => KvStore]> = [
  ["memory", () => createMemoryStore()],
  ["redis", () => createRedisStore(inject("redisUrl"), { prefix: inject("redisPrefix") })],
];

describe.each(stores)("KvStore contract: %s", (_name, make) => {
  const store = make();
  afterAll(() => store.close());

  it("counts hits in one window and reports the time left", async () => {
    const key = randomUUID();
    expect((await store.hitWindow(key, 10_000)).count).toBe(1);
    const second = await store.hitWindow(key, 10_000);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(0);
    expect(second.resetInMs).toBeLessThanOrEqual(10_000);
    expect((await store.peekWindow(key)).count).toBe(2);
  });

  it("starts a fresh window once the old one has expired", async () => {
    const key = randomUUID();
    await store.hitWindow(key, 30);
    await store.hitWindow(key, 30);
    await new Promise((r) => setTimeout(r, 60));
    expect((await store.peekWindow(key)).count).toBe(0);
    expect((await store.hitWindow(key, 30)).count).toBe(1);
  });

  it("never loses a hit under concurrency", async () => {
    const key = randomUUID();
    const hits = await Promise.all(Array.from({ length: 200 }, () => store.hitWindow(key, 10_000)));
    expect(new Set(hits.map((h) => h.count)).size).toBe(200);
    expect((await store.peekWindow(key)).count).toBe(200);
  });

  it("takes back a hit without moving the window's end, and never below zero", async () => {
    const key = randomUUID();
    await store.hitWindow(key, 10_000);
    const second = await store.hitWindow(key, 10_000);
    await store.unhitWindow(key);
    const after = await store.peekWindow(key);
    expect(after.count).toBe(1);
    expect(after.resetInMs).toBeLessThanOrEqual(second.resetInMs);
    await store.unhitWindow(key);
    await store.unhitWindow(key);
    expect((await store.peekWindow(key)).count).toBe(0);
    expect((await store.hitWindow(key, 10_000)).count).toBe(1);
    // A window never opened stays closed.
    const never = randomUUID();
    await store.unhitWindow(never);
    expect((await store.peekWindow(never)).count).toBe(0);
  });

  it("forgets a deleted key", async () => {
    const key = randomUUID();
    await store.hitWindow(key, 10_000);
    await store.delete(key);
    expect((await store.peekWindow(key)).count).toBe(0);
  });

  const hour = 3_600_000;

  it("allows a key rpm requests, then refuses with the time until one more fits", async () => {
    const key = randomUUID();
    const spec = { requests: 3, tokens: null, windowMs: 60_000 };
    const first = await store.consumeRateLimit(key, spec, 0);
    expect(first).toMatchObject({ allowed: true, tokens: null, retryAfterMs: 0 });
    expect(first.requests).toMatchObject({ limit: 3, remaining: 2 });
    expect(first.requests!.resetInMs).toBeGreaterThan(19_000);
    expect(first.requests!.resetInMs).toBeLessThanOrEqual(20_000);
    await store.consumeRateLimit(key, spec, 0);
    expect((await store.consumeRateLimit(key, spec, 0)).requests!.remaining).toBe(0);
    const refused = await store.consumeRateLimit(key, spec, 0);
    expect(refused.allowed).toBe(false);
    expect(refused.tooLarge).toBe(false);
    expect(refused.requests!.remaining).toBe(0);
    // One request comes back every 20 s.
    expect(refused.retryAfterMs).toBeGreaterThan(19_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it("refills over the window: a refused key is allowed again once a request's share has passed", async () => {
    const key = randomUUID();
    const spec = { requests: 2, tokens: null, windowMs: 200 };
    await store.consumeRateLimit(key, spec, 0);
    await store.consumeRateLimit(key, spec, 0);
    expect((await store.consumeRateLimit(key, spec, 0)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect((await store.consumeRateLimit(key, spec, 0)).allowed).toBe(true);
  });

  it("reserves tokens, refuses what does not fit, and takes back a refund on settle", async () => {
    const key = randomUUID();
    const spec = { requests: null, tokens: 100, windowMs: hour };
    const reserved = await store.consumeRateLimit(key, spec, 60);
    expect(reserved).toMatchObject({ allowed: true, requests: null });
    expect(reserved.tokens).toMatchObject({ limit: 100, remaining: 40 });
    const refused = await store.consumeRateLimit(key, spec, 60);
    expect(refused.allowed).toBe(false);
    expect(refused.tokens!.remaining).toBe(40);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    // The request used 10 of its 60: 50 come back.
    await store.settleTokens(key, spec, -50);
    const after = await store.consumeRateLimit(key, spec, 60);
    expect(after.allowed).toBe(true);
    expect(after.tokens!.remaining).toBe(30);
  });

  it("puts a key into debt when the real usage exceeds its reservation", async () => {
    const key = randomUUID();
    const spec = { requests: null, tokens: 100, windowMs: 60_000 };
    await store.consumeRateLimit(key, spec, 10);
    await store.settleTokens(key, spec, 150);
    const refused = await store.consumeRateLimit(key, spec, 1);
    expect(refused.allowed).toBe(false);
    expect(refused.tokens!.remaining).toBe(0);
    expect(refused.tokens!.resetInMs).toBeGreaterThan(60_000);
  });

  it("refuses a request larger than the whole token limit as too large", async () => {
    const refused = await store.consumeRateLimit(
      randomUUID(),
      { requests: 10, tokens: 100, windowMs: 60_000 },
      101,
    );
    expect(refused).toMatchObject({ allowed: false, tooLarge: true });
    expect(refused.requests!.remaining).toBe(10);
  });

  it("takes nothing from either limit when one refuses", async () => {
    const key = randomUUID();
    const spec = { requests: 5, tokens: 100, windowMs: hour };
    await store.consumeRateLimit(key, spec, 90);
    const refused = await store.consumeRateLimit(key, spec, 20);
    expect(refused.allowed).toBe(false);
    expect(refused.requests!.remaining).toBe(4);
    expect((await store.consumeRateLimit(key, spec, 10)).requests!.remaining).toBe(3);
  });

  it("starts a limit full when a key that had none gets one", async () => {
    const key = randomUUID();
    for (let i = 0; i < 3; i++)
      await store.consumeRateLimit(key, { requests: null, tokens: null, windowMs: hour }, 50);
    const limited = await store.consumeRateLimit(key, { requests: 2, tokens: 100, windowMs: hour }, 50);
    expect(limited.allowed).toBe(true);
    expect(limited.requests!.remaining).toBe(1);
    expect(limited.tokens!.remaining).toBe(50);
  });

  it("never lets 200 parallel requests past a limit of 50", async () => {
    const key = randomUUID();
    const spec = { requests: 50, tokens: null, windowMs: hour };
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => store.consumeRateLimit(key, spec, 0)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
  });

  it("never lets 200 parallel reservations past a token limit", async () => {
    const key = randomUUID();
    const spec = { requests: null, tokens: 1000, windowMs: hour };
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => store.consumeRateLimit(key, spec, 10)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
  });

  it("leases what is left beyond the request, all or nothing, never past the limit", async () => {
    const key = randomUUID();
    const spec = { requests: 10, tokens: 1000, windowMs: hour };
    const first = await store.consumeRateLimit(key, spec, 100, { requests: 4, tokens: 300 });
    expect(first.allowed).toBe(true);
    expect(first.leased).toEqual({ requests: 4, tokens: 300 });
    expect(first.requests!.remaining).toBe(5);
    expect(first.tokens!.remaining).toBe(600);
    // Only what is left is leased: 4 requests remain after this one.
    const second = await store.consumeRateLimit(key, spec, 0, { requests: 100, tokens: 100 });
    expect(second.leased).toEqual({ requests: 4, tokens: 100 });
    expect(second.requests!.remaining).toBe(0);
    const refused = await store.consumeRateLimit(key, spec, 0, { requests: 1, tokens: 1 });
    expect(refused.allowed).toBe(false);
    expect(refused.leased).toEqual({ requests: 0, tokens: 0 });

    // No request left to lease: nothing is taken from tokens either.
    const other = randomUUID();
    const one = { requests: 1, tokens: 1000, windowMs: hour };
    const alone = await store.consumeRateLimit(other, one, 0, { requests: 5, tokens: 100 });
    expect(alone.allowed).toBe(true);
    expect(alone.leased).toEqual({ requests: 0, tokens: 0 });
    expect(alone.tokens!.remaining).toBe(1000);
  });

  it("leases nothing when not asked, and only limited dimensions", async () => {
    const key = randomUUID();
    expect(
      (await store.consumeRateLimit(key, { requests: 10, tokens: null, windowMs: hour }, 0)).leased,
    ).toEqual({
      requests: 0,
      tokens: 0,
    });
    const onlyRequests = await store.consumeRateLimit(
      key,
      { requests: 10, tokens: null, windowMs: hour },
      0,
      {
        requests: 3,
        tokens: 50,
      },
    );
    expect(onlyRequests.leased).toEqual({ requests: 3, tokens: 0 });
  });

  it("takes back unused leased requests and tokens on settle, up to full", async () => {
    const key = randomUUID();
    const spec = { requests: 10, tokens: 1000, windowMs: hour };
    await store.consumeRateLimit(key, spec, 100, { requests: 5, tokens: 500 });
    await store.settleTokens(key, spec, -400, 3);
    const after = await store.consumeRateLimit(key, spec, 0);
    // 10 - 1 - 5 + 3 - 1 requests, 1000 - 100 - 500 + 400 tokens.
    expect(after.requests!.remaining).toBe(6);
    expect(after.tokens!.remaining).toBe(800);
    await store.settleTokens(key, spec, -5000, 50);
    const full = await store.consumeRateLimit(key, spec, 0);
    expect(full.requests!.remaining).toBe(9);
    expect(full.tokens!.remaining).toBe(1000);
  });

  it("never leases past the limit under concurrency", async () => {
    const key = randomUUID();
    const spec = { requests: 100, tokens: null, windowMs: hour };
    const decisions = await Promise.all(
      Array.from({ length: 60 }, () => store.consumeRateLimit(key, spec, 0, { requests: 3, tokens: 0 })),
    );
    const taken = decisions.reduce((sum, d) => sum + (d.allowed ? 1 + d.leased.requests : 0), 0);
    expect(taken).toBe(100);
  });

  it("is ready to take commands", async () => {
    expect(await store.ready(5000)).toBe(true);
  });

  it("answers ping", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe("Redis store when Redis is unreachable", () => {
  it("rejects quickly instead of hanging", async () => {
    const store = createRedisStore("redis://127.0.0.1:1", { prefix: "unreachable:" });
    expect(await store.ready(50)).toBe(false);
    await expect(store.hitWindow("k", 1000)).rejects.toThrow();
    await expect(
      store.consumeRateLimit("k", { requests: 1, tokens: null, windowMs: 1000 }, 0),
    ).rejects.toThrow();
    await store.close();
  });
});
