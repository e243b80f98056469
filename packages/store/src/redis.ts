/** Redis-backed KvStore shared by all replicas; every multi-step update is one Lua script. */
import { Redis } from "ioredis";
import type { KvStore, WindowHit } from "./types.ts";

// INCR, then set the expiry only on the window's first hit; returns the count and the TTL left.
const hitWindowScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

type RedisWithScripts = Redis & {
  hitWindow(key: string, windowMs: number): Promise<[number, number]>;
};

export function createRedisStore(url: string, options: { prefix?: string } = {}): KvStore {
  const prefix = options.prefix ?? "sy:";
  const redis = new Redis(url, {
    keyPrefix: prefix,
    // Fail fast while Redis is away instead of queueing commands without bound.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
  }) as RedisWithScripts;
  redis.defineCommand("hitWindow", { numberOfKeys: 1, lua: hitWindowScript });
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  redis.on("error", () => {});

  return {
    kind: "redis",
    async hitWindow(key, windowMs): Promise<WindowHit> {
      const [count, ttl] = await redis.hitWindow(key, windowMs);
      return { count, resetInMs: ttl };
    },
    async peekWindow(key): Promise<WindowHit> {
      const [count, ttl] = await redis
        .multi()
        .get(key)
        .pttl(key)
        .exec()
        .then((r) => {
          if (!r) throw new Error("Redis transaction aborted");
          return [Number(r[0]?.[1] ?? 0), Number(r[1]?.[1] ?? -2)] as const;
        });
      return ttl > 0 ? { count, resetInMs: ttl } : { count: 0, resetInMs: 0 };
    },
    async delete(key) {
      await redis.del(key);
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}
