export { createMemoryStore } from "./memory.ts";
export { createRedisStore } from "./redis.ts";
export type { KvStore, WindowHit } from "./types.ts";

import { createMemoryStore } from "./memory.ts";
import { createRedisStore } from "./redis.ts";
import type { KvStore } from "./types.ts";

/** Redis when a URL is given, the in-process store otherwise (single replica). */
export function createStore(redisUrl: string | undefined, options: { prefix?: string } = {}): KvStore {
  return redisUrl ? createRedisStore(redisUrl, options) : createMemoryStore();
}
