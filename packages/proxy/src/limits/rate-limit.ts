/**
 * Per-key rpm/tpm limits, shared by every replica through the KvStore (one atomic Lua script per
 * check in Redis). Tokens are reserved before forwarding (the prompt estimate plus the
 * `max_tokens` bound) and settled to the real usage afterwards. A key whose limits are large
 * enough is admitted from a per-replica lease (ADR 0007): a small share of its limits taken from
 * the store ahead of demand, so most requests need no round trip; small limits (under 256 rpm
 * with the default share) are checked in the store on every request, exactly. Answers carry the
 * `x-ratelimit-*` headers OpenAI clients read; a refusal is a 429 `rate_limited` with Retry-After.
 *
 * When the store cannot be reached (Redis down), requests are let through (fail open): a rate
 * limit protects capacity, and refusing all traffic during a Redis outage would be worse than
 * briefly not limiting it. Each such check is counted in
 * `switchyard_proxy_rate_limit_store_errors_total` and logged at most every 10 s.
 */
import { AppError } from "@switchyard/core";
import {
  type KvStore,
  type LimitState,
  noLease,
  type RateLimitDecision,
  type RateLimitLease,
  type RateLimitSpec,
} from "@switchyard/store";
import type { CompiledKey } from "../config/compile.ts";
import { errorFields, type Logger } from "../logger.ts";
import type { ProxyMetrics } from "../metrics/metrics.ts";

/** Limits are per minute. */
export const rateLimitWindowMs = 60_000;

/** What a request took from its key's limits: settle it once the real usage is known. */
export type RateLimitReservation = { readonly key: CompiledKey; readonly tokens: number };

export type RateLimiter = {
  /**
   * Takes one request and `tokens` from `key`'s limits, appending the x-ratelimit headers to
   * `headers`; throws a `rate_limited` AppError when they do not fit. Returns null when nothing was
   * reserved (an unlimited key, or the store was unreachable).
   */
  admit(key: CompiledKey, tokens: number, headers: string[]): Promise<RateLimitReservation | null>;
  /** Corrects a reservation to the tokens really used (fire and forget). */
  settle(reservation: RateLimitReservation, usedTokens: number): void;
  /** Gives every lease back to the store and sends pending settlements (on shutdown). */
  close(): Promise<void>;
};

/** A duration as OpenAI writes it in x-ratelimit-reset-*: "250ms", "12s", "1m0s". */
export function formatReset(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

function pushLimitHeaders(headers: string[], kind: "requests" | "tokens", state: LimitState): void {
  headers.push(
    `x-ratelimit-limit-${kind}`,
    String(state.limit),
    `x-ratelimit-remaining-${kind}`,
    String(state.remaining),
    `x-ratelimit-reset-${kind}`,
    formatReset(state.resetInMs),
  );
}

/** Redis Cluster hash tag per key, so that a key's buckets always live on one shard. */
function bucketKey(key: CompiledKey): string {
  return `rl:{${key.id}}`;
}

/**
 * A replica's lease on one key's limits (ADR 0007): requests and tokens taken from the shared
 * store ahead of demand, admitted locally without a round trip, refilled in the background before
 * they run out, and given back when the key goes quiet. Unlimited dimensions hold Infinity.
 */
type Lease = {
  /** The compiled key it was taken for (a new snapshot compiles new keys: the old lease is returned). */
  readonly key: CompiledKey;
  readonly spec: RateLimitSpec;
  requests: number;
  tokens: number;
  /** Date.now() after which what is left goes back to the store. */
  expiresAt: number;
  /** When the store last granted to it (for growing `size`). */
  grantedAt: number;
  /** Requests a refill asks for; doubles while refills come quickly, up to the key's lease cap. */
  size: number;
  /** Average tokens a request reserves, to size the token part of a refill. */
  avgTokens: number;
  refilling: boolean;
  /** The store's levels at the last grant (after it), for the x-ratelimit headers. */
  requestsState: LimitState | null;
  tokensState: LimitState | null;
};

export type RateLimiterOptions = {
  store: KvStore;
  metrics: ProxyMetrics;
  log: Logger;
  windowMs?: number;
  /**
   * Largest share of a limit one replica may lease (default 1/64). A key whose limits are too
   * small for a useful lease (fewer than `minLeaseRequests` requests, or fewer tokens than a few
   * requests reserve) is checked in the store on every request.
   */
  leaseShare?: number;
  /** Unused lease goes back to the store this long after its last grant (default 500 ms). */
  leaseTtlMs?: number;
  /** How often token settlements of leased keys are sent, summed per key (default 50 ms). */
  flushIntervalMs?: number;
};

/** Smallest useful lease, in requests; a lease starts at `initialLeaseRequests` and grows. */
const minLeaseRequests = 4;
const initialLeaseRequests = 8;
const maxLeaseRequests = 4096;

export function createRateLimiter(deps: RateLimiterOptions): RateLimiter {
  const { store, metrics, log } = deps;
  const windowMs = deps.windowMs ?? rateLimitWindowMs;
  const leaseShare = deps.leaseShare ?? 1 / 64;
  const leaseTtlMs = deps.leaseTtlMs ?? 500;
  const flushIntervalMs = deps.flushIntervalMs ?? 50;
  // One spec per compiled key (a new snapshot compiles new keys, so a changed limit is picked up).
  const specs = new WeakMap<CompiledKey, RateLimitSpec>();
  /** By key id: at most one lease per key and replica. */
  const leases = new Map<string, Lease>();
  /** Token settlements not yet sent, by key id, for keys that lease. */
  const pending = new Map<string, { key: CompiledKey; delta: number }>();
  let timer: NodeJS.Timeout | null = null;
  let lastLoggedAt = 0;

  function specOf(key: CompiledKey): RateLimitSpec {
    let spec = specs.get(key);
    if (spec === undefined) {
      spec = { requests: key.rpm, tokens: key.tpm, windowMs };
      specs.set(key, spec);
    }
    return spec;
  }

  function storeFailed(err: unknown, what: string): void {
    metrics.rateLimitStoreErrors.inc();
    const now = Date.now();
    if (now - lastLoggedAt < 10_000) return;
    lastLoggedAt = now;
    log.warn(`rate-limit store unreachable; ${what}`, { store: store.kind, ...errorFields(err) });
  }

  /** Requests a lease of `key` may hold at most; 0 when its limits are too small to lease. */
  function leaseCap(key: CompiledKey, tokens: number): number {
    let cap = maxLeaseRequests;
    if (key.rpm !== null) cap = Math.min(cap, Math.floor(key.rpm * leaseShare));
    if (key.tpm !== null) cap = Math.min(cap, Math.floor((key.tpm * leaseShare) / Math.max(1, tokens)));
    return cap >= minLeaseRequests ? cap : 0;
  }

  /** What to ask the store for, for a lease covering `size` requests. */
  function leaseWant(lease: Lease): RateLimitLease {
    const key = lease.key;
    return {
      requests: key.rpm === null ? 0 : lease.size,
      tokens:
        key.tpm === null
          ? 0
          : Math.min(Math.floor(key.tpm * leaseShare), Math.ceil(lease.size * lease.avgTokens * 1.25)),
    };
  }

  function ensureTimer(): void {
    if (timer !== null) return;
    timer = setInterval(sweep, flushIntervalMs);
    timer.unref();
  }

  /** Gives a lease's unused part back to the store (fire and forget; close() awaits it). */
  function giveBack(lease: Lease): Promise<void> | null {
    const requests = Number.isFinite(lease.requests) ? lease.requests : 0;
    const tokens = Number.isFinite(lease.tokens) ? lease.tokens : 0;
    lease.requests = 0;
    lease.tokens = 0;
    const owed = pending.get(lease.key.id);
    let delta = -tokens;
    if (owed !== undefined && owed.key === lease.key) {
      delta += owed.delta;
      pending.delete(lease.key.id);
    }
    if (requests <= 0 && delta === 0) return null;
    return store
      .settleTokens(bucketKey(lease.key), lease.spec, delta, requests)
      .catch((err: unknown) => storeFailed(err, "an unused rate-limit lease was not returned"));
  }

  function flushPending(): Promise<void>[] {
    const sent: Promise<void>[] = [];
    for (const { key, delta } of pending.values()) {
      if (delta === 0) continue;
      sent.push(
        store
          .settleTokens(bucketKey(key), specOf(key), delta)
          .catch((err: unknown) => storeFailed(err, "a token settlement was skipped")),
      );
    }
    pending.clear();
    return sent;
  }

  function sweep(): void {
    const now = Date.now();
    for (const [id, lease] of leases) {
      if (lease.refilling || now < lease.expiresAt) continue;
      leases.delete(id);
      giveBack(lease);
    }
    flushPending();
    if (leases.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  function grant(lease: Lease, decision: RateLimitDecision, extraRequests: number): void {
    const now = Date.now();
    if (lease.key.rpm !== null) lease.requests += decision.leased.requests + extraRequests;
    if (lease.key.tpm !== null) lease.tokens += decision.leased.tokens;
    // Refills that come quickly mean the lease is too small for this replica's traffic.
    if (now - lease.grantedAt < leaseTtlMs / 4) {
      lease.size = Math.max(lease.size, Math.min(lease.size * 2, leaseCap(lease.key, lease.avgTokens)));
    }
    lease.grantedAt = now;
    lease.expiresAt = now + leaseTtlMs;
    lease.requestsState = decision.requests;
    lease.tokensState = decision.tokens;
  }

  /** Tops a lease up in the background once it is half spent. */
  function maybeRefill(lease: Lease): void {
    if (lease.refilling) return;
    const want = leaseWant(lease);
    if (lease.requests >= want.requests / 2 && lease.tokens >= want.tokens / 2) return;
    lease.refilling = true;
    // The refill takes one request (with no tokens) besides the lease: it is added to the lease.
    store.consumeRateLimit(bucketKey(lease.key), lease.spec, 0, want).then(
      (decision) => {
        lease.refilling = false;
        if (leases.get(lease.key.id) !== lease) {
          // Retired while the refill was out (a new snapshot): hand the grant straight back.
          if (decision.allowed) {
            lease.requests = decision.leased.requests + 1;
            lease.tokens = decision.leased.tokens;
            giveBack(lease);
          }
          return;
        }
        if (decision.allowed) grant(lease, decision, 1);
      },
      (err: unknown) => {
        lease.refilling = false;
        storeFailed(err, "a rate-limit lease was not refilled");
      },
    );
  }

  /** Whether the store's levels after `decision` hold a whole refill of `lease`. */
  function roomFor(lease: Lease, decision: RateLimitDecision): boolean {
    const want = leaseWant(lease);
    if (decision.requests !== null && decision.requests.remaining <= want.requests) return false;
    if (decision.tokens !== null && decision.tokens.remaining <= want.tokens) return false;
    return true;
  }

  function pushLeaseHeaders(lease: Lease, headers: string[]): void {
    const key = lease.key;
    if (key.rpm !== null && lease.requestsState !== null) {
      const s = lease.requestsState;
      pushLimitHeaders(headers, "requests", {
        limit: s.limit,
        remaining: Math.min(s.limit, Math.floor(s.remaining + lease.requests)),
        resetInMs: s.resetInMs,
      });
    }
    if (key.tpm !== null && lease.tokensState !== null) {
      const s = lease.tokensState;
      pushLimitHeaders(headers, "tokens", {
        limit: s.limit,
        remaining: Math.min(s.limit, Math.max(0, Math.floor(s.remaining + lease.tokens))),
        resetInMs: s.resetInMs,
      });
    }
  }

  /** The live lease of `key`, retiring one taken for an older compiled key or past its time. */
  function leaseOf(key: CompiledKey, now: number): Lease | undefined {
    const lease = leases.get(key.id);
    if (lease === undefined) return undefined;
    if (lease.key === key && (now < lease.expiresAt || lease.refilling)) return lease;
    if (lease.refilling) return undefined;
    leases.delete(key.id);
    giveBack(lease);
    return undefined;
  }

  return {
    async admit(key, tokens, headers) {
      if (key.rpm === null && key.tpm === null) return null;
      const cost = key.tpm === null ? 0 : tokens;
      const now = Date.now();
      const lease = leaseOf(key, now);
      if (lease !== undefined && lease.requests >= 1 && lease.tokens >= cost) {
        if (key.rpm !== null) lease.requests -= 1;
        lease.tokens -= cost;
        lease.avgTokens += (cost - lease.avgTokens) / 8;
        pushLeaseHeaders(lease, headers);
        maybeRefill(lease);
        return { key, tokens: cost };
      }

      // No lease, or not enough left in it: ask the store, and take a lease with the answer when
      // the key's limits are large enough and no refill is already on its way.
      const spec = specOf(key);
      let asked: Lease | undefined;
      if (lease === undefined) {
        const cap = leaseCap(key, cost);
        if (cap > 0) {
          asked = {
            key,
            spec,
            requests: key.rpm === null ? Number.POSITIVE_INFINITY : 0,
            tokens: key.tpm === null ? Number.POSITIVE_INFINITY : 0,
            expiresAt: 0,
            grantedAt: 0,
            size: Math.min(initialLeaseRequests, cap),
            avgTokens: cost,
            refilling: true,
            requestsState: null,
            tokensState: null,
          };
          leases.set(key.id, asked);
          ensureTimer();
        }
      }
      let decision: RateLimitDecision;
      try {
        decision = await store.consumeRateLimit(
          bucketKey(key),
          spec,
          cost,
          asked === undefined ? noLease : leaseWant(asked),
        );
      } catch (err) {
        if (asked !== undefined && leases.get(key.id) === asked) leases.delete(key.id);
        storeFailed(err, "letting requests through unlimited");
        return null;
      }
      if (asked !== undefined) {
        asked.refilling = false;
        if (leases.get(key.id) !== asked) {
          asked.requests = decision.leased.requests;
          asked.tokens = decision.leased.tokens;
          giveBack(asked);
        } else if (decision.allowed && (decision.leased.requests > 0 || decision.leased.tokens > 0)) {
          grant(asked, decision, 0);
        } else {
          leases.delete(key.id);
        }
      }
      if (lease !== undefined && decision.allowed && roomFor(lease, decision)) {
        // The lease ran short before its refill came back (or the last refill was refused): the
        // store has room again, so top it up instead of checking every request there.
        maybeRefill(lease);
      }
      if (decision.requests !== null) pushLimitHeaders(headers, "requests", decision.requests);
      if (decision.tokens !== null) pushLimitHeaders(headers, "tokens", decision.tokens);
      if (decision.allowed) return { key, tokens: cost };

      const byRequests = decision.requests !== null && decision.requests.remaining < 1;
      metrics.rateLimited.inc({ limit: byRequests ? "requests" : "tokens" });
      if (decision.tooLarge) {
        // Waiting never helps, so no Retry-After: clients should change the request.
        throw new AppError(
          "rate_limited",
          `This request needs about ${tokens} tokens, more than this API key's limit of ${key.tpm} tokens per minute. Shorten the messages or lower max_tokens.`,
        );
      }
      const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      const message = byRequests
        ? `Rate limit reached for this API key: ${key.rpm} requests per minute. Retry after ${retryAfterSeconds} s.`
        : `Rate limit reached for this API key: ${key.tpm} tokens per minute (this request reserves about ${tokens}). Retry after ${retryAfterSeconds} s, or lower max_tokens.`;
      throw new AppError("rate_limited", message, { retryAfterSeconds });
    },

    settle(reservation, usedTokens) {
      const key = reservation.key;
      const delta = usedTokens - reservation.tokens;
      if (key.tpm === null || delta === 0) return;
      const lease = leases.get(key.id);
      if (lease !== undefined && lease.key === key && Date.now() < lease.expiresAt) {
        // Settled inside the lease: a refund stays in it (it goes back to the store with the
        // lease), an overrun is paid from it while it can be.
        if (delta < 0 || lease.tokens >= delta) {
          lease.tokens -= delta;
          return;
        }
      }
      if (leaseCap(key, reservation.tokens) === 0) {
        // A key too small to lease is settled at once, so its next request sees the exact level.
        store
          .settleTokens(bucketKey(key), specOf(key), delta)
          .catch((err: unknown) => storeFailed(err, "a token settlement was skipped"));
        return;
      }
      const owed = pending.get(key.id);
      if (owed !== undefined && owed.key === key) owed.delta += delta;
      else {
        if (owed !== undefined) flushPending();
        pending.set(key.id, { key, delta });
      }
      ensureTimer();
    },

    async close() {
      // Refills on their way are let land (up to the store's command timeout) so they go back too.
      const deadline = Date.now() + 2000;
      while ([...leases.values()].some((l) => l.refilling) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (timer !== null) clearInterval(timer);
      timer = null;
      const sent: Promise<void>[] = [];
      for (const lease of leases.values()) {
        const returned = giveBack(lease);
        if (returned !== null) sent.push(returned);
      }
      leases.clear();
      sent.push(...flushPending());
      await Promise.all(sent);
    },
  };
}
