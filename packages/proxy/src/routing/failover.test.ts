import { describe, expect, it } from "vitest";
import {
  backoffMs,
  decideFailover,
  defaultFailoverPolicy,
  type FailoverState,
  outcomeOfStatus,
  retryAfterMs,
  type UpstreamOutcome,
} from "./failover.ts";

const policy = defaultFailoverPolicy;
const unknownWindow = { contextWindow: null };

/** The first attempt of a request on its first of two candidates, with plenty of time left. */
function state(overrides: Partial<FailoverState> = {}): FailoverState {
  return {
    attempts: 1,
    msLeft: 30_000,
    triesOfThis: 1,
    current: unknownWindow,
    next: [unknownWindow],
    jitter: 0.5,
    ...overrides,
  };
}

const serverError: UpstreamOutcome = { kind: "server_error" };
const failover = { action: "failover", skip: 0 };
const giveBack = { action: "return" };

describe("decideFailover", () => {
  it("retries a 5xx once on the same deployment after a short backoff, then fails over", () => {
    const first = decideFailover(serverError, state());
    expect(first).toEqual({ action: "retry", delayMs: backoffMs(policy, 1, 0.5) });
    expect(decideFailover(serverError, state({ attempts: 2, triesOfThis: 2 }))).toEqual(failover);
  });

  it("answers the last 5xx when the deployment was retried and no candidate is left", () => {
    expect(decideFailover(serverError, state({ attempts: 2, triesOfThis: 2, next: [] }))).toEqual(giveBack);
  });

  it("waits a 429's Retry-After when it fits in the deadline, else fails over, else answers", () => {
    const limited: UpstreamOutcome = { kind: "rate_limited", retryAfterMs: 1000 };
    expect(decideFailover(limited, state())).toEqual({ action: "retry", delayMs: 1000 });
    expect(decideFailover(limited, state({ msLeft: 900 }))).toEqual(failover);
    expect(decideFailover(limited, state({ msLeft: 900, next: [] }))).toEqual(giveBack);
  });

  it("never retries a 429 with Retry-After: 0 in a tight loop", () => {
    const decision = decideFailover({ kind: "rate_limited", retryAfterMs: 0 }, state({ next: [] }));
    expect(decision).toEqual({ action: "retry", delayMs: policy.backoffBaseMs });
  });

  it("fails over a 429 without Retry-After, or backs off with bounded jitter when alone", () => {
    const limited: UpstreamOutcome = { kind: "rate_limited", retryAfterMs: null };
    expect(decideFailover(limited, state())).toEqual(failover);
    const alone = decideFailover(limited, state({ next: [], jitter: 0.999 }));
    expect(alone.action).toBe("retry");
    const delay = (alone as { delayMs: number }).delayMs;
    expect(delay).toBeGreaterThanOrEqual(policy.backoffBaseMs / 2);
    expect(delay).toBeLessThanOrEqual(policy.backoffBaseMs);
    // A second refusal from the same deployment is the client's answer.
    expect(decideFailover(limited, state({ attempts: 2, triesOfThis: 2, next: [] }))).toEqual(giveBack);
  });

  it("fails over a timeout and never retries the deployment that timed out", () => {
    expect(decideFailover({ kind: "timeout" }, state())).toEqual(failover);
    expect(decideFailover({ kind: "timeout" }, state({ next: [] }))).toEqual(giveBack);
  });

  it("fails over a connection reset, and tries once more when there is nowhere else", () => {
    expect(decideFailover({ kind: "connection" }, state())).toEqual(failover);
    expect(decideFailover({ kind: "connection" }, state({ next: [] })).action).toBe("retry");
    expect(decideFailover({ kind: "connection" }, state({ next: [], triesOfThis: 2, attempts: 2 }))).toEqual(
      giveBack,
    );
  });

  it("sends a context too long to the first later candidate with a larger window", () => {
    const decision = decideFailover(
      { kind: "context_length" },
      state({
        current: { contextWindow: 8000 },
        next: [{ contextWindow: 4000 }, { contextWindow: null }, { contextWindow: 128_000 }],
      }),
    );
    expect(decision).toEqual({ action: "failover", skip: 2 });
  });

  it("answers a context too long as is when no later candidate has a larger window", () => {
    const tooLong: UpstreamOutcome = { kind: "context_length" };
    const current = { contextWindow: 8000 };
    expect(decideFailover(tooLong, state({ current, next: [{ contextWindow: 8000 }] }))).toEqual(giveBack);
    // An unknown window is not known to be larger, nor is a retry of the same deployment any use.
    expect(
      decideFailover(tooLong, state({ current: unknownWindow, next: [{ contextWindow: 1e6 }] })),
    ).toEqual(giveBack);
  });

  it("answers content-policy refusals and other 4xx unchanged, whatever is left", () => {
    expect(decideFailover({ kind: "content_policy" }, state())).toEqual(giveBack);
    expect(decideFailover({ kind: "client_error" }, state())).toEqual(giveBack);
  });

  it("stops at the attempt budget and at the deadline", () => {
    expect(decideFailover(serverError, state({ attempts: policy.maxAttempts }))).toEqual(giveBack);
    expect(decideFailover({ kind: "timeout" }, state({ msLeft: policy.minAttemptMs - 1 }))).toEqual(giveBack);
    // A backoff that would leave no time for the retry itself is not taken: fail over instead.
    expect(decideFailover(serverError, state({ msLeft: policy.minAttemptMs + 10 }))).toEqual(failover);
  });
});

describe("backoffMs", () => {
  it("doubles per try, is jittered between half and all of it, and is capped", () => {
    expect(backoffMs(policy, 1, 0)).toBe(policy.backoffBaseMs / 2);
    expect(backoffMs(policy, 2, 0.999_999)).toBe(policy.backoffBaseMs * 2);
    expect(backoffMs(policy, 30, 0.999_999)).toBe(policy.backoffMaxMs);
  });
});

describe("retryAfterMs", () => {
  it("reads retry-after-ms, else Retry-After in seconds or as an HTTP date", () => {
    expect(retryAfterMs("250", "7")).toBe(250);
    expect(retryAfterMs(undefined, "2")).toBe(2000);
    expect(retryAfterMs(undefined, "0.5")).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(undefined, "Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(retryAfterMs(undefined, "Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
  });

  it("is null when neither header says", () => {
    expect(retryAfterMs(undefined, undefined)).toBeNull();
    expect(retryAfterMs("soon", "later")).toBeNull();
    expect(retryAfterMs(["1"], undefined)).toBeNull();
  });
});

describe("outcomeOfStatus", () => {
  it("classifies by status and the provider's error code", () => {
    expect(outcomeOfStatus(429, 1000, null)).toEqual({ kind: "rate_limited", retryAfterMs: 1000 });
    expect(outcomeOfStatus(503, null, null)).toEqual(serverError);
    expect(outcomeOfStatus(400, null, "context_length_exceeded")).toEqual({ kind: "context_length" });
    expect(outcomeOfStatus(400, null, "content_policy_violation")).toEqual({ kind: "content_policy" });
    expect(outcomeOfStatus(400, null, "invalid_value")).toEqual({ kind: "client_error" });
    expect(outcomeOfStatus(404, null, null)).toEqual({ kind: "client_error" });
  });
});
