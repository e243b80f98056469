export { createMemoryStore } from "./memory.ts";
export { createRedisStore, type RedisStoreOptions } from "./redis.ts";
export type {
  KvStore,
  LimitState,
  RateLimitDecision,
  RateLimitLease,
  RateLimitSpec,
  WindowHit,
} from "./types.ts";
export { noLease } from "./types.ts";

import { createMemoryStore } from "./memory.ts";
import { createRedisStore, type RedisStoreOptions } from "./redis.ts";
import type { KvStore } from "./types.ts";

/** Redis when a URL is given, the in-process store otherwise (single replica). */
export function createStore(redisUrl: string | undefined, options: RedisStoreOptions = {}): KvStore {
  return redisUrl ? createRedisStore(redisUrl, options) : createMemoryStore();
}
