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

  it("forgets a deleted key", async () => {
    const key = randomUUID();
    await store.hitWindow(key, 10_000);
    await store.delete(key);
    expect((await store.peekWindow(key)).count).toBe(0);
  });

  it("answers ping", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe("Redis store when Redis is unreachable", () => {
  it("rejects quickly instead of hanging", async () => {
    const store = createRedisStore("redis://127.0.0.1:1", { prefix: "unreachable:" });
    await expect(store.hitWindow("k", 1000)).rejects.toThrow();
    await store.close();
  });
});
