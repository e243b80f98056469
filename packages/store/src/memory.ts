/** In-process KvStore for a single replica (the embedded default, no REDIS_URL). */
import { type KvStore, type LimitState, noLease, type RateLimitDecision, type WindowHit } from "./types.ts";

type Window = { count: number; expiresAt: number };

/**
 * A key's rate-limit buckets: levels with the time each was last brought up to date. A missing
 * level is a full bucket. The whole entry can go once both buckets are full again (`expiresAt`).
 */
type Buckets = { r: number | null; ra: number; t: number | null; ta: number; expiresAt: number };

/** The level of a bucket at `now`, refilled at `limit` per `windowMs` since `at`, capped at `limit`. */
function refill(level: number | null, at: number, now: number, limit: number, windowMs: number): number {
  if (level === null) return limit;
  return Math.min(limit, level + (Math.max(0, now - at) * limit) / windowMs);
}

function state(level: number, limit: number, windowMs: number): LimitState {
  return {
    limit,
    remaining: Math.max(0, Math.floor(level)),
    resetInMs: Math.ceil(((limit - level) * windowMs) / limit),
  };
}

export function createMemoryStore(options: { now?: () => number; sweepEvery?: number } = {}): KvStore {
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  const buckets = new Map<string, Buckets>();
  const sweepEvery = options.sweepEvery ?? 1024;
  let writes = 0;

  // Expired entries are dropped lazily on access and by a periodic sweep, so memory stays bounded.
  function sweep(at: number) {
    for (const [key, w] of windows) if (w.expiresAt <= at) windows.delete(key);
    for (const [key, b] of buckets) if (b.expiresAt <= at) buckets.delete(key);
  }

  function live(key: string, at: number): Window | undefined {
    const w = windows.get(key);
    if (w && w.expiresAt <= at) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  function bucketsOf(key: string, at: number): Buckets {
    if (++writes % sweepEvery === 0) sweep(at);
    let b = buckets.get(key);
    if (b === undefined) {
      b = { r: null, ra: at, t: null, ta: at, expiresAt: at };
      buckets.set(key, b);
    }
    return b;
  }

  function untilFull(
    b: Buckets,
    at: number,
    requests: number | null,
    tokens: number | null,
    windowMs: number,
  ) {
    let ms = 0;
    if (requests !== null && b.r !== null) ms = Math.max(ms, ((requests - b.r) * windowMs) / requests);
    if (tokens !== null && b.t !== null) ms = Math.max(ms, ((tokens - b.t) * windowMs) / tokens);
    b.expiresAt = at + Math.ceil(ms);
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
    async unhitWindow(key): Promise<void> {
      const w = live(key, now());
      if (w && w.count > 0) w.count -= 1;
    },
    async peekWindow(key): Promise<WindowHit> {
      const at = now();
      const w = live(key, at);
      return w ? { count: w.count, resetInMs: w.expiresAt - at } : { count: 0, resetInMs: 0 };
    },
    async consumeRateLimit(key, spec, tokens, lease = noLease): Promise<RateLimitDecision> {
      const at = now();
      const { requests: rpm, tokens: tpm, windowMs } = spec;
      const b = bucketsOf(key, at);
      // A dimension that became unlimited forgets its level, so a later limit starts full.
      let r = rpm === null ? 0 : refill(b.r, b.ra, at, rpm, windowMs);
      let t = tpm === null ? 0 : refill(b.t, b.ta, at, tpm, windowMs);
      let wait = 0;
      let tooLarge = false;
      if (rpm !== null && r < 1) wait = ((1 - r) * windowMs) / rpm;
      if (tpm !== null && tokens > tpm) {
        tooLarge = true;
        wait = Math.max(wait, windowMs);
      } else if (tpm !== null && t < tokens) {
        wait = Math.max(wait, ((tokens - t) * windowMs) / tpm);
      }
      const allowed = wait === 0;
      let leased = noLease;
      if (allowed) {
        r -= 1;
        t -= tokens;
        if ((rpm !== null || tpm !== null) && (lease.requests > 0 || lease.tokens > 0)) {
          const lr = rpm === null ? 0 : Math.max(0, Math.min(Math.floor(lease.requests), Math.floor(r)));
          const lt = tpm === null ? 0 : Math.max(0, Math.min(Math.floor(lease.tokens), Math.floor(t)));
          if (!((rpm !== null && lr === 0) || (tpm !== null && lt === 0))) {
            r -= lr;
            t -= lt;
            leased = { requests: lr, tokens: lt };
          }
        }
      }
      b.r = rpm === null ? null : r;
      b.ra = at;
      b.t = tpm === null ? null : t;
      b.ta = at;
      untilFull(b, at, rpm, tpm, windowMs);
      return {
        allowed,
        requests: rpm === null ? null : state(r, rpm, windowMs),
        tokens: tpm === null ? null : state(t, tpm, windowMs),
        retryAfterMs: Math.ceil(wait),
        tooLarge,
        leased,
      };
    },
    async settleTokens(key, spec, delta, returnedRequests = 0) {
      const { requests: rpm, tokens: tpm, windowMs } = spec;
      const tokenDelta = tpm === null ? 0 : delta;
      const back = rpm === null ? 0 : Math.max(0, Math.floor(returnedRequests));
      if (tokenDelta === 0 && back === 0) return;
      const at = now();
      const b = bucketsOf(key, at);
      if (tpm !== null && tokenDelta !== 0) {
        b.t = Math.min(tpm, refill(b.t, b.ta, at, tpm, windowMs) - tokenDelta);
        b.ta = at;
      }
      if (rpm !== null && back > 0) {
        b.r = Math.min(rpm, refill(b.r, b.ra, at, rpm, windowMs) + back);
        b.ra = at;
      }
      untilFull(b, at, rpm, tpm, windowMs);
    },
    async delete(key) {
      windows.delete(key);
      buckets.delete(key);
    },
    async ready() {
      return true;
    },
    async ping() {},
    async close() {
      windows.clear();
      buckets.clear();
    },
  };
}
