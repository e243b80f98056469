/**
 * The state proxy and control-plane replicas must share (docs/architecture.md, "What proxy
 * replicas share"): Redis when REDIS_URL is set, an in-process map otherwise. Both
 * implementations pass the same contract suite (store.int.test.ts).
 */
export type WindowHit = {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
};

/**
 * Per-key request and token limits over a sliding window: each limit is a bucket that holds at
 * most `limit` units and refills at `limit` per `windowMs` (so a key may spend its whole per-minute
 * allowance at once, then one unit per `windowMs / limit`). null: that dimension is unlimited.
 */
export type RateLimitSpec = {
  readonly requests: number | null;
  readonly tokens: number | null;
  readonly windowMs: number;
};

/** One dimension of a limit after a decision. */
export type LimitState = {
  readonly limit: number;
  /** Units left now (floored; 0 while in debt). */
  readonly remaining: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetInMs: number;
};

export type RateLimitDecision = {
  /** Whether the request fits; when it does, one request and `tokens` were taken. */
  readonly allowed: boolean;
  /** null when `spec.requests` is null. */
  readonly requests: LimitState | null;
  /** null when `spec.tokens` is null. */
  readonly tokens: LimitState | null;
  /** When refused: milliseconds until the request would fit (0 when allowed). */
  readonly retryAfterMs: number;
  /** When refused for tokens: the request asks for more than the whole per-window limit, so it never fits. */
  readonly tooLarge: boolean;
  /**
   * What was taken beyond the request itself for the caller's lease (see `consumeRateLimit`): 0 and
   * 0 when refused or when no lease was asked for. `requests` and `tokens` above are the levels left
   * after it.
   */
  readonly leased: RateLimitLease;
};

/** Units of a key's limits a replica takes ahead of demand, to admit requests without a round trip. */
export type RateLimitLease = { readonly requests: number; readonly tokens: number };

export const noLease: RateLimitLease = { requests: 0, tokens: 0 };

export type KvStore = {
  readonly kind: "memory" | "redis";
  /**
   * Counts one hit in a fixed window that starts at the key's first hit and lasts windowMs.
   * Atomic across replicas.
   */
  hitWindow(key: string, windowMs: number): Promise<WindowHit>;
  /** Takes back one hit from an open window (never below 0), leaving its expiry as it was. */
  unhitWindow(key: string): Promise<void>;
  /** Reads a window's count without counting a hit; 0 when no window is open. */
  peekWindow(key: string): Promise<WindowHit>;
  /**
   * Takes one request and `tokens` from the key's buckets if both fit, atomically across
   * replicas; takes nothing when either does not fit. When it fits and `lease` asks for more, also
   * takes up to `lease.requests` requests and `lease.tokens` tokens of what is left (never into
   * debt), all or nothing: a lease is granted only if every limited dimension gets at least one
   * unit. A dimension without a limit is never leased (it needs no lease).
   */
  consumeRateLimit(
    key: string,
    spec: RateLimitSpec,
    tokens: number,
    lease?: RateLimitLease,
  ): Promise<RateLimitDecision>;
  /**
   * Corrects a key's token bucket once the real usage is known (reserve-then-settle): a positive
   * `delta` takes more (the bucket may go into debt), a negative one gives back (up to full).
   * `returnedRequests` gives back unused leased requests (up to full).
   */
  settleTokens(key: string, spec: RateLimitSpec, delta: number, returnedRequests?: number): Promise<void>;
  /** Forgets a key. */
  delete(key: string): Promise<void>;
  /**
   * Waits until the store can take commands, up to `timeoutMs`; false if it cannot by then.
   * (Commands sent to Redis before its connection is up fail at once rather than queue.)
   */
  ready(timeoutMs: number): Promise<boolean>;
  /** Throws if the store cannot be reached (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
};
