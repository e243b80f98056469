/** Redis-backed KvStore shared by all replicas; every multi-step update is one Lua script. */
import { Redis } from "ioredis";
import { type KvStore, type LimitState, noLease, type RateLimitDecision, type WindowHit } from "./types.ts";

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

// DECR keeps the key's expiry; a missing or spent window is left alone (DECR would create one without).
const unhitWindowScript = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then
  redis.call('DECR', KEYS[1])
end
return 0
`;

// The rate-limit buckets of one key, in a hash: r/ra = request level and when it was last brought
// up to date, t/ta = the same for tokens; a missing level is a full bucket. The clock is Redis's
// own (TIME), so replicas with skewed clocks still agree. The memory store mirrors this math.
const bucketLib = `
local now
do
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function refill(level, at, limit, window)
  if not level then return limit end
  local elapsed = now - (tonumber(at) or now)
  if elapsed < 0 then elapsed = 0 end
  return math.min(limit, tonumber(level) + elapsed * limit / window)
end
local function fmt(x) return string.format('%.6f', x) end
local function keepUntilFull(key, r, rpm, t, tpm, window)
  local ms = 1
  if rpm > 0 then ms = math.max(ms, (rpm - r) * window / rpm) end
  if tpm > 0 then ms = math.max(ms, (tpm - t) * window / tpm) end
  redis.call('PEXPIRE', key, math.ceil(ms))
end
`;

// KEYS[1] = buckets; ARGV = rpm, tpm (0 = unlimited), tokens, windowMs, leaseRequests, leaseTokens.
// Returns {allowed, rRemaining, rResetMs, tRemaining, tResetMs, retryAfterMs, tooLarge, leasedR, leasedT}.
const consumeScript = `${bucketLib}
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local wantR = tonumber(ARGV[5])
local wantT = tonumber(ARGV[6])
local s = redis.call('HMGET', KEYS[1], 'r', 'ra', 't', 'ta')
local r, t = 0, 0
if rpm > 0 then r = refill(s[1], s[2], rpm, window) end
if tpm > 0 then t = refill(s[3], s[4], tpm, window) end
local wait = 0
local tooLarge = 0
if rpm > 0 and r < 1 then wait = (1 - r) * window / rpm end
if tpm > 0 and cost > tpm then
  tooLarge = 1
  wait = math.max(wait, window)
elseif tpm > 0 and t < cost then
  wait = math.max(wait, (cost - t) * window / tpm)
end
local allowed = 0
local lr, lt = 0, 0
if wait == 0 then
  allowed = 1
  r = r - 1
  t = t - cost
  if (rpm > 0 or tpm > 0) and (wantR > 0 or wantT > 0) then
    if rpm > 0 then lr = math.max(0, math.min(wantR, math.floor(r))) end
    if tpm > 0 then lt = math.max(0, math.min(wantT, math.floor(t))) end
    if (rpm > 0 and lr == 0) or (tpm > 0 and lt == 0) then
      lr, lt = 0, 0
    end
    r = r - lr
    t = t - lt
  end
end
local ts = string.format('%d', now)
if rpm > 0 then redis.call('HSET', KEYS[1], 'r', fmt(r), 'ra', ts) else redis.call('HDEL', KEYS[1], 'r', 'ra') end
if tpm > 0 then redis.call('HSET', KEYS[1], 't', fmt(t), 'ta', ts) else redis.call('HDEL', KEYS[1], 't', 'ta') end
keepUntilFull(KEYS[1], r, rpm, t, tpm, window)
local rReset, tReset = 0, 0
if rpm > 0 then rReset = math.ceil((rpm - r) * window / rpm) end
if tpm > 0 then tReset = math.ceil((tpm - t) * window / tpm) end
return {allowed, math.max(0, math.floor(r)), rReset, math.max(0, math.floor(t)), tReset, math.ceil(wait), tooLarge, lr, lt}
`;

// KEYS[1] = buckets; ARGV = rpm, tpm (0 = unlimited), token delta, windowMs, returned requests.
const settleScript = `${bucketLib}
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local delta = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local back = tonumber(ARGV[5])
local s = redis.call('HMGET', KEYS[1], 'r', 'ra', 't', 'ta')
local ts = string.format('%d', now)
local t = 0
if tpm > 0 then
  t = refill(s[3], s[4], tpm, window)
  if delta ~= 0 then
    t = math.min(tpm, t - delta)
    redis.call('HSET', KEYS[1], 't', fmt(t), 'ta', ts)
  end
end
local r = 0
if rpm > 0 then
  r = refill(s[1], s[2], rpm, window)
  if back > 0 then
    r = math.min(rpm, r + back)
    redis.call('HSET', KEYS[1], 'r', fmt(r), 'ra', ts)
  end
end
keepUntilFull(KEYS[1], r, rpm, t, tpm, window)
return 1
`;

type RedisWithScripts = Redis & {
  hitWindow(key: string, windowMs: number): Promise<[number, number]>;
  unhitWindow(key: string): Promise<number>;
  consumeRateLimit(
    key: string,
    rpm: number,
    tpm: number,
    tokens: number,
    windowMs: number,
    leaseRequests: number,
    leaseTokens: number,
  ): Promise<[number, number, number, number, number, number, number, number, number]>;
  settleTokens(
    key: string,
    rpm: number,
    tpm: number,
    delta: number,
    windowMs: number,
    returnedRequests: number,
  ): Promise<number>;
};

export type RedisStoreOptions = {
  /** Prepended to every key (default `sy:`); one per service, e.g. `sy:px:` for the proxy. */
  prefix?: string;
  /** A command that gets no answer within this many ms fails (default 1000), so a hung Redis cannot hold requests. */
  commandTimeoutMs?: number;
};

function limitState(limit: number | null, remaining: number, resetInMs: number): LimitState | null {
  return limit === null ? null : { limit, remaining, resetInMs };
}

export function createRedisStore(url: string, options: RedisStoreOptions = {}): KvStore {
  const prefix = options.prefix ?? "sy:";
  const redis = new Redis(url, {
    keyPrefix: prefix,
    // Fail fast while Redis is away instead of queueing commands without bound.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    lazyConnect: false,
    // Commands issued in the same tick share one write (and one syscall) instead of one each.
    enableAutoPipelining: true,
  }) as RedisWithScripts;
  // defineCommand sends EVALSHA and falls back to EVAL once if Redis does not know the script yet.
  redis.defineCommand("hitWindow", { numberOfKeys: 1, lua: hitWindowScript });
  redis.defineCommand("unhitWindow", { numberOfKeys: 1, lua: unhitWindowScript });
  redis.defineCommand("consumeRateLimit", { numberOfKeys: 1, lua: consumeScript });
  redis.defineCommand("settleTokens", { numberOfKeys: 1, lua: settleScript });
  // ioredis reconnects by itself; without a listener an outage would crash the process.
  redis.on("error", () => {});

  return {
    kind: "redis",
    async hitWindow(key, windowMs): Promise<WindowHit> {
      const [count, ttl] = await redis.hitWindow(key, windowMs);
      return { count, resetInMs: ttl };
    },
    async unhitWindow(key): Promise<void> {
      await redis.unhitWindow(key);
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
    async consumeRateLimit(key, spec, tokens, lease = noLease): Promise<RateLimitDecision> {
      const [allowed, rLeft, rReset, tLeft, tReset, wait, tooLarge, leasedRequests, leasedTokens] =
        await redis.consumeRateLimit(
          key,
          spec.requests ?? 0,
          spec.tokens ?? 0,
          tokens,
          spec.windowMs,
          Math.max(0, Math.floor(lease.requests)),
          Math.max(0, Math.floor(lease.tokens)),
        );
      return {
        allowed: allowed === 1,
        requests: limitState(spec.requests, rLeft, rReset),
        tokens: limitState(spec.tokens, tLeft, tReset),
        retryAfterMs: wait,
        tooLarge: tooLarge === 1,
        leased:
          leasedRequests === 0 && leasedTokens === 0
            ? noLease
            : { requests: leasedRequests, tokens: leasedTokens },
      };
    },
    async settleTokens(key, spec, delta, returnedRequests = 0) {
      const tokenDelta = spec.tokens === null ? 0 : delta;
      const back = spec.requests === null ? 0 : Math.max(0, Math.floor(returnedRequests));
      if (tokenDelta === 0 && back === 0) return;
      await redis.settleTokens(key, spec.requests ?? 0, spec.tokens ?? 0, tokenDelta, spec.windowMs, back);
    },
    async delete(key) {
      await redis.del(key);
    },
    async ready(timeoutMs) {
      if (redis.status === "ready") return true;
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          redis.off("ready", onReady);
          resolve(ok);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(redis.status === "ready"), timeoutMs);
        redis.on("ready", onReady);
      });
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}
