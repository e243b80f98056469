/**
 * The attempt stage: the upstream calls of one request, across the alias's candidate deployments,
 * within one deadline and one attempt budget. Each call runs with its timeouts and the client's
 * departure aborting it; what it came back with is classified (routing/failover.ts decides whether
 * to retry it, fail over to the next candidate, or answer), and every way it can fail is turned
 * into the proxy's own error. Retries and fallbacks to other deployments live here and nowhere else.
 */
import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { AppError } from "@switchyard/core";
import type { Dispatcher } from "undici";
import type { CompiledDeployment } from "../config/compile.ts";
import { ClientGoneError } from "../http/body.ts";
import type { ProxyDeps } from "../http/context.ts";
import { sendUpstream, upstreamErrorAnswer } from "../providers/upstream.ts";
import {
  decideFailover,
  defaultFailoverPolicy,
  type FailoverPolicy,
  outcomeOfStatus,
  retryAfterMs,
  type UpstreamOutcome,
} from "../routing/failover.ts";
import type { RandomSource } from "../routing/selector.ts";
import type { ModelCall } from "./types.ts";
/**
 * One upstream attempt's abort wiring: the client going away, or our own first-byte and total
 * timers, abort it, and say which did. Our own timers, not only undici's headersTimeout: undici's
 * run on a ~0.5 s tick, too coarse for a first-byte budget of a few hundred ms. `totalMs` bounds
 * streams too; `deadlineMs` (what is left of the request's deadline) cuts it shorter when less.
 */
export class Attempt {
  clientGone = false;
  timedOut: "firstByte" | "total" | "deadline" | null = null;
  /** The ms the request's deadline left this attempt, when that is less than its total timeout. */
  readonly deadlineMs: number | null;
  private readonly controller = new AbortController();
  private readonly deadline: NodeJS.Timeout;
  private firstByte: NodeJS.Timeout | undefined;
  private readonly res: ServerResponse;
  private readonly onClose = () => {
    if (this.res.writableEnded) return;
    this.clientGone = true;
    this.controller.abort();
  };

  constructor(
    res: ServerResponse,
    timeouts: { firstByteMs: number; totalMs: number },
    deadlineMs: number = Number.POSITIVE_INFINITY,
  ) {
    this.res = res;
    res.once("close", this.onClose);
    const bound = deadlineMs < timeouts.totalMs;
    this.deadlineMs = bound ? Math.max(0, Math.floor(deadlineMs)) : null;
    const totalMs = bound ? Math.max(0, deadlineMs) : timeouts.totalMs;
    this.deadline = setTimeout(() => {
      this.timedOut = bound ? "deadline" : "total";
      this.controller.abort();
    }, totalMs);
    if (timeouts.firstByteMs < totalMs) {
      this.firstByte = setTimeout(() => {
        this.timedOut = "firstByte";
        this.controller.abort();
      }, timeouts.firstByteMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The upstream's answer began (or the request failed): the first-byte budget no longer applies. */
  started(): void {
    clearTimeout(this.firstByte);
  }

  /** What to throw for an attempt that failed: the client left, the proxy's own error, or the upstream's. */
  failure(err: unknown, deployment: CompiledDeployment): Error {
    if (this.clientGone) return new ClientGoneError();
    return err instanceof AppError ? err : upstreamFailure(err, this, deployment);
  }

  /** The attempt is over: neither timer may fire any more, and the client leaving is the next one's. */
  finished(): void {
    clearTimeout(this.firstByte);
    clearTimeout(this.deadline);
    this.res.off("close", this.onClose);
  }
}

/**
 * Thrown by a relay (a surface's `relay`) whose 2xx answer failed before anything of it reached the
 * client (a stream that broke before its first content chunk): the attempt stage may still fail
 * over. `answer` is what the client gets if it does not.
 */
export class NothingRelayedError extends Error {
  readonly outcome: UpstreamOutcome;
  readonly answer: AppError;
  constructor(outcome: UpstreamOutcome, answer: AppError) {
    super(answer.message, { cause: answer });
    this.name = "NothingRelayedError";
    this.outcome = outcome;
    this.answer = answer;
  }
}

/** What the attempt stage needs of the surface and the snapshot, per candidate. */
export type AttemptPlan = {
  /** The deployments to try, in order (the select stage's), none of them unusable. */
  readonly candidates: readonly [CompiledDeployment, ...CompiledDeployment[]];
  /** The upstream path and body for a candidate. */
  request(deployment: CompiledDeployment): { path: string; body: string };
  /** Relays a 2xx answer; throws `NothingRelayedError` when it failed before any byte went out. */
  relay(deployment: CompiledDeployment, upstream: Dispatcher.ResponseData, attempt: Attempt): Promise<void>;
  /** A deployment's context window (null: unknown), for a prompt too long for one. */
  contextWindow(deployment: CompiledDeployment): number | null;
};

/** How one attempt ended when it did not answer 2xx: the outcome, and the client's answer if it is the last. */
type Failed = {
  readonly outcome: UpstreamOutcome;
  /** A provider's 4xx relayed as sent (its status, body and Retry-After), or the proxy's own error. */
  readonly answer:
    | {
        readonly kind: "relay";
        readonly status: number;
        readonly body: string;
        readonly retryAfter: string | null;
      }
    | { readonly kind: "error"; readonly error: AppError };
};

/** The OpenAI error code of an error body (`{"error":{"code"}}`), or null. */
function errorCodeOf(body: string): string | null {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === "string" ? code : null;
  } catch {
    return null;
  }
}

/** The outcome of a request that got no response head. */
function outcomeOfFailure(err: unknown, attempt: Attempt): UpstreamOutcome {
  if (attempt.timedOut !== null) return { kind: "timeout" };
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT") return { kind: "timeout" };
  return { kind: "connection" };
}

/** Waits `ms`, or less if the client leaves (then throws ClientGoneError). */
function pause(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => {
      clearTimeout(timer);
      if (res.writableEnded) resolve();
      else reject(new ClientGoneError());
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve();
    }, ms);
    res.once("close", onClose);
  });
}

/**
 * Runs the call's upstream attempts: the first candidate, then as `decideFailover` says (a retry of
 * the same one after a wait, or the next candidate), until one answers 2xx and is relayed, the
 * budget or the deadline (the first candidate's total timeout, from the request's arrival) is
 * spent, or an answer is the client's. `call.deployment` is always the deployment tried last, so
 * the usage event bills the one that answered. Answers a failure for the pipeline to send (a
 * provider's 4xx as sent), or throws the proxy's own error.
 */
export async function attemptWithFailover(
  call: ModelCall,
  deps: ProxyDeps,
  plan: AttemptPlan,
  policy: FailoverPolicy = defaultFailoverPolicy,
  random: RandomSource = Math.random,
): Promise<{ status: number; body: string; retryAfter: string | null } | null> {
  const { candidates } = plan;
  const { res } = call.ctx;
  const deadlineAt = call.ctx.startedAt + candidates[0].timeouts.totalMs;
  let index = 0;
  let triesOfThis = 0;
  for (;;) {
    // A client gone during a backoff is not worth another upstream call.
    if (res.destroyed) throw new ClientGoneError();
    const deployment = candidates[index]!;
    call.deployment = deployment;
    triesOfThis++;
    const failed = await attemptOnce(call, deps, plan, deployment, deadlineAt - performance.now());
    if (failed === null) return null;
    const next = candidates.slice(index + 1).map((d) => ({ contextWindow: plan.contextWindow(d) }));
    const decision = decideFailover(
      failed.outcome,
      {
        attempts: call.attempts,
        msLeft: deadlineAt - performance.now(),
        triesOfThis,
        current: { contextWindow: plan.contextWindow(deployment) },
        next,
        jitter: random(),
      },
      policy,
    );
    if (decision.action === "return") {
      if (failed.answer.kind === "error") throw failed.answer.error;
      return failed.answer;
    }
    if (decision.action === "retry") {
      await pause(res, decision.delayMs);
    } else {
      index += 1 + decision.skip;
      triesOfThis = 0;
    }
  }
}

/** One upstream call of `deployment`: null once a 2xx was relayed, else how it failed. */
async function attemptOnce(
  call: ModelCall,
  deps: ProxyDeps,
  plan: AttemptPlan,
  deployment: CompiledDeployment,
  msLeft: number,
): Promise<Failed | null> {
  const { path, body } = plan.request(deployment);
  const attempt = new Attempt(call.ctx.res, deployment.timeouts, msLeft);
  let upstream: Dispatcher.ResponseData;
  try {
    // Retried once with the provider's fallback credential if the primary one gets a 401.
    upstream = await sendUpstream(
      deps,
      { deployment, path, body, requestId: call.ctx.requestId, signal: attempt.signal },
      call,
    );
    attempt.started();
  } catch (err) {
    attempt.finished();
    const failure = attempt.failure(err, deployment);
    if (failure instanceof ClientGoneError) throw failure;
    return { outcome: outcomeOfFailure(err, attempt), answer: { kind: "error", error: failure as AppError } };
  }

  const status = upstream.statusCode;
  if (status >= 200 && status < 300) {
    try {
      await plan.relay(deployment, upstream, attempt);
      return null;
    } catch (err) {
      if (err instanceof NothingRelayedError && !attempt.clientGone) {
        return { outcome: err.outcome, answer: { kind: "error", error: err.answer } };
      }
      throw attempt.failure(err, deployment);
    } finally {
      attempt.finished();
    }
  }

  const waitMs = retryAfterMs(upstream.headers["retry-after-ms"], upstream.headers["retry-after"]);
  try {
    const relayed = await upstreamErrorAnswer(deployment, upstream);
    return {
      outcome: outcomeOfStatus(status, waitMs, errorCodeOf(relayed.body)),
      answer: { kind: "relay", status, body: relayed.body, retryAfter: relayed.retryAfter },
    };
  } catch (err) {
    const failure = attempt.failure(err, deployment);
    if (failure instanceof ClientGoneError) throw failure;
    // A 5xx, a refused credential or an opaque 429: the proxy's own error if it is the last.
    const outcome: UpstreamOutcome =
      attempt.timedOut === null ? outcomeOfStatus(status, waitMs, null) : { kind: "timeout" };
    return { outcome, answer: { kind: "error", error: failure as AppError } };
  } finally {
    attempt.finished();
  }
}

/** An error from undici (or our own deadline) as the answer the client gets. */
export function upstreamFailure(err: unknown, attempt: Attempt, deployment: CompiledDeployment): AppError {
  const name = deployment.provider.name;
  const { connectMs, firstByteMs, totalMs } = deployment.timeouts;
  if (attempt.timedOut === "deadline") {
    return new AppError(
      "upstream_timeout",
      `The upstream provider '${name}' did not answer within the ${attempt.deadlineMs} ms the request had left.`,
      { cause: err },
    );
  }
  if (attempt.timedOut === "total") {
    return new AppError(
      "upstream_timeout",
      `The upstream provider '${name}' did not finish within ${totalMs} ms.`,
      {
        cause: err,
      },
    );
  }
  const code =
    attempt.timedOut === "firstByte" ? "UND_ERR_HEADERS_TIMEOUT" : (err as { code?: unknown } | null)?.code;
  switch (code) {
    case "UND_ERR_HEADERS_TIMEOUT":
      return new AppError(
        "upstream_timeout",
        `The upstream provider '${name}' did not start answering within ${firstByteMs} ms.`,
        { cause: err },
      );
    case "UND_ERR_BODY_TIMEOUT":
      return new AppError("upstream_timeout", `The upstream provider '${name}' stalled while answering.`, {
        cause: err,
      });
    case "UND_ERR_CONNECT_TIMEOUT":
      return new AppError(
        "upstream_timeout",
        `Could not connect to the upstream provider '${name}' within ${connectMs} ms.`,
        { cause: err },
      );
    case "ECONNREFUSED":
      return new AppError("upstream_error", `The upstream provider '${name}' refused the connection.`, {
        cause: err,
      });
    default:
      return new AppError(
        "upstream_error",
        `The request to the upstream provider '${name}' failed (${typeof code === "string" ? code : "connection error"}).`,
        { cause: err },
      );
  }
}
