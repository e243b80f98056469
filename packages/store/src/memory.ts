/** In-process KvStore for a single replica (the embedded default, no REDIS_URL). */
import type { KvStore, WindowHit } from "./types.ts";

type Window = { count: number; expiresAt: number };

export function createMemoryStore(options: { now?: () => number; sweepEvery?: number } = {}): KvStore {
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  const sweepEvery = options.sweepEvery ?? 1024;
  let writes = 0;

  // Expired windows are dropped lazily on access and by a periodic sweep, so memory stays bounded.
  function sweep(at: number) {
    for (const [key, w] of windows) if (w.expiresAt <= at) windows.delete(key);
  }

  function live(key: string, at: number): Window | undefined {
    const w = windows.get(key);
    if (w && w.expiresAt <= at) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  return {
    kind: "memory",
    async hitWindow(key, windowMs): Promise<WindowHit> {
      const at = now();
      if (++writes % sweepEvery === 0) sweep(at);
      let w = live(key, at);
      if (!w) {
        w = { count: 0, expiresAt: at + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, resetInMs: w.expiresAt - at };
    },
    async peekWindow(key): Promise<WindowHit> {
      const at = now();
      const w = live(key, at);
      return w ? { count: w.count, resetInMs: w.expiresAt - at } : { count: 0, resetInMs: 0 };
    },
    async delete(key) {
      windows.delete(key);
    },
    async ping() {},
    async close() {
      windows.clear();
    },
  };
}
