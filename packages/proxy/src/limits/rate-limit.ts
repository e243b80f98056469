/**
 * Per-key rpm/tpm limits, shared by every replica through the KvStore (one atomic Lua script per
 * check in Redis). Tokens are reserved before forwarding (the prompt estimate plus the
 * `max_tokens` bound) and settled to the real usage afterwards. Answers carry the
 * `x-ratelimit-*` headers OpenAI clients read; a refusal is a 429 `rate_limited` with Retry-After.
 *
 * When the store cannot be reached (Redis down), requests are let through (fail open): a rate
 * limit protects capacity, and refusing all traffic during a Redis outage would be worse than
 * briefly not limiting it. Each such check is counted in
 * `switchyard_proxy_rate_limit_store_errors_total` and logged at most every 10 s.
 */
import { AppError } from "@switchyard/core";
import type { KvStore, LimitState, RateLimitSpec } from "@switchyard/store";
import type { CompiledKey } from "../config/compile.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { errorFields, type Logger } from "../logger.ts";
import type { ProxyMetrics } from "../metrics/metrics.ts";
import type { UsageMeter } from "../usage/meter.ts";

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

export function createRateLimiter(deps: {
  store: KvStore;
  metrics: ProxyMetrics;
  log: Logger;
  windowMs?: number;
}): RateLimiter {
  const { store, metrics, log } = deps;
  const windowMs = deps.windowMs ?? rateLimitWindowMs;
  // One spec per compiled key (a new snapshot compiles new keys, so a changed limit is picked up).
  const specs = new WeakMap<CompiledKey, RateLimitSpec>();
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

  return {
    async admit(key, tokens, headers) {
      if (key.rpm === null && key.tpm === null) return null;
      const spec = specOf(key);
      let decision: Awaited<ReturnType<KvStore["consumeRateLimit"]>>;
      try {
        decision = await store.consumeRateLimit(bucketKey(key), spec, key.tpm === null ? 0 : tokens);
      } catch (err) {
        storeFailed(err, "letting requests through unlimited");
        return null;
      }
      if (decision.requests !== null) pushLimitHeaders(headers, "requests", decision.requests);
      if (decision.tokens !== null) pushLimitHeaders(headers, "tokens", decision.tokens);
      if (decision.allowed) return { key, tokens: key.tpm === null ? 0 : tokens };

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
      const delta = usedTokens - reservation.tokens;
      if (reservation.key.tpm === null || delta === 0) return;
      store
        .settleTokens(bucketKey(reservation.key), specOf(reservation.key), delta)
        .catch((err: unknown) => storeFailed(err, "a token settlement was skipped"));
    },
  };
}

/**
 * Admits a request whose key and body are known, recording the reservation on its meter; throws
 * `rate_limited` when the key's limits refuse it.
 */
export async function admitRequest(ctx: RequestContext, deps: ProxyDeps, meter: UsageMeter): Promise<void> {
  if (meter.key === null) return;
  meter.reservation = await deps.rateLimiter.admit(meter.key, meter.tokenReservation, ctx.headers);
}
