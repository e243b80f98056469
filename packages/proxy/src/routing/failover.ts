/**
 * Failover's decisions, pure: given what one upstream attempt came back with and where the request
 * stands (its attempt budget, its deadline, the candidates left), whether to try the same deployment
 * again (after how long), fail over to a later candidate, or give the client this answer. The
 * attempt stage (pipeline/attempt.ts) makes the calls; this decides between them, so every rule is
 * a unit test and the route simulator can explain a request with the same code.
 */

/** What one attempt came back with, as failover sees it. */
export type UpstreamOutcome =
  /** 429; `retryAfterMs` from the provider's `retry-after-ms` or `Retry-After`, null without one. */
  | { readonly kind: "rate_limited"; readonly retryAfterMs: number | null }
  /** A 5xx. */
  | { readonly kind: "server_error" }
  /** The connection failed (reset, refused) before any byte of an answer. */
  | { readonly kind: "connection" }
  /** No connection, or no response head, within the deployment's timeout (or the deadline). */
  | { readonly kind: "timeout" }
  /** 400 `context_length_exceeded`: the prompt does not fit this deployment. */
  | { readonly kind: "context_length" }
  /** 400 `content_policy_violation`: the provider refused the content. */
  | { readonly kind: "content_policy" }
  /** Any other 4xx: the client's to read. */
  | { readonly kind: "client_error" };

/** A candidate as failover sees it. */
export type FailoverCandidate = { readonly contextWindow: number | null };

export type FailoverState = {
  /** Upstream requests this request has made so far, the one that just ended included. */
  readonly attempts: number;
  /** Ms left until the request's deadline. */
  readonly msLeft: number;
  /** Attempts on the current deployment since the request came to it, the one that ended included. */
  readonly triesOfThis: number;
  readonly current: FailoverCandidate;
  /** The candidates after the current one, in the order they are tried. */
  readonly next: readonly FailoverCandidate[];
  /** A uniform number in [0, 1) for the jitter of a backoff. */
  readonly jitter: number;
};

export type FailoverDecision =
  | { readonly action: "retry"; readonly delayMs: number }
  /** `skip`: candidates of `next` passed over (a context window no larger), before the one tried. */
  | { readonly action: "failover"; readonly skip: number }
  | { readonly action: "return" };

export type FailoverPolicy = {
  /** Upstream requests per client request at most, retries and fallbacks included. */
  readonly maxAttempts: number;
  /** Attempts on one deployment within one request at most (a retry after a 5xx or a 429). */
  readonly maxTriesPerDeployment: number;
  /** A backoff after a 429 without `Retry-After` or a 5xx: base * 2^(try - 1), halved to full by jitter. */
  readonly backoffBaseMs: number;
  /** ... and never more than this, so that a request is never parked on a refusing provider. */
  readonly backoffMaxMs: number;
  /** The least time a retry must leave before the deadline to be worth making. */
  readonly minAttemptMs: number;
};

/** PROXY_MAX_ATTEMPTS and friends, as constants until they are wired to the environment. */
export const defaultFailoverPolicy: FailoverPolicy = Object.freeze({
  maxAttempts: 3,
  maxTriesPerDeployment: 2,
  backoffBaseMs: 100,
  backoffMaxMs: 1000,
  minAttemptMs: 50,
});

const giveBack: FailoverDecision = Object.freeze({ action: "return" });

/** A small jittered backoff for try number `tries` on one deployment. */
export function backoffMs(policy: FailoverPolicy, tries: number, jitter: number): number {
  const full = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, tries - 1));
  return Math.round(full / 2 + (full / 2) * jitter);
}

/**
 * What to do after an attempt that did not answer 2xx. A 5xx is retried once on the same
 * deployment, then failed over; a 429 waits its `Retry-After` when that fits in the deadline, else
 * (or without one, when there is somewhere to go) fails over, else backs off briefly; a reset or a
 * timeout fails over (a deployment that timed out is never tried again in the request); a context
 * too long goes to the first later candidate with a larger context window; a content-policy
 * refusal and any other 4xx are the client's answer. Past the attempt budget or the deadline, the
 * last answer is the client's.
 */
export function decideFailover(
  outcome: UpstreamOutcome,
  state: FailoverState,
  policy: FailoverPolicy = defaultFailoverPolicy,
): FailoverDecision {
  if (outcome.kind === "client_error" || outcome.kind === "content_policy") return giveBack;
  if (state.attempts >= policy.maxAttempts || state.msLeft < policy.minAttemptMs) return giveBack;
  const canFailOver = state.next.length > 0;
  const failover: FailoverDecision = { action: "failover", skip: 0 };
  const mayRetry = state.triesOfThis < policy.maxTriesPerDeployment;
  /** A retry after `delayMs`, if it leaves time for the attempt itself. */
  const retryAfter = (delayMs: number): FailoverDecision | null =>
    mayRetry && delayMs + policy.minAttemptMs <= state.msLeft ? { action: "retry", delayMs } : null;
  const backoff = () => retryAfter(backoffMs(policy, state.triesOfThis, state.jitter));

  switch (outcome.kind) {
    case "context_length": {
      const window = state.current.contextWindow;
      if (window === null) return giveBack;
      const larger = state.next.findIndex((c) => c.contextWindow !== null && c.contextWindow > window);
      return larger < 0 ? giveBack : { action: "failover", skip: larger };
    }
    case "timeout":
      return canFailOver ? failover : giveBack;
    case "connection":
      // Nothing reached the provider's model, as far as the proxy can tell: once more if alone.
      return canFailOver ? failover : (backoff() ?? giveBack);
    case "server_error":
      return backoff() ?? (canFailOver ? failover : giveBack);
    case "rate_limited": {
      if (outcome.retryAfterMs !== null) {
        // Retry-After: 0 is no licence for a tight loop.
        const wait = retryAfter(Math.max(outcome.retryAfterMs, policy.backoffBaseMs));
        if (wait !== null) return wait;
        return canFailOver ? failover : giveBack;
      }
      return canFailOver ? failover : (backoff() ?? giveBack);
    }
  }
}

/**
 * How long a 429 asks to wait, in ms: `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or
 * as an HTTP date (relative to `nowMs`); null when neither says.
 */
export function retryAfterMs(
  retryAfterMsHeader: unknown,
  retryAfterHeader: unknown,
  nowMs: number = Date.now(),
): number | null {
  if (typeof retryAfterMsHeader === "string" && /^\d+(\.\d+)?$/.test(retryAfterMsHeader.trim())) {
    return Math.ceil(Number(retryAfterMsHeader));
  }
  if (typeof retryAfterHeader !== "string") return null;
  const value = retryAfterHeader.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The outcome of a non-2xx answer, from its status, its Retry-After and its OpenAI error code. */
export function outcomeOfStatus(
  status: number,
  retryAfter: number | null,
  errorCode: string | null,
): UpstreamOutcome {
  if (status === 429) return { kind: "rate_limited", retryAfterMs: retryAfter };
  if (status >= 500) return { kind: "server_error" };
  if (errorCode === "context_length_exceeded") return { kind: "context_length" };
  if (errorCode === "content_policy_violation") return { kind: "content_policy" };
  return { kind: "client_error" };
}
