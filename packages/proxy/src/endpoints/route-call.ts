/**
 * What the model routes (chat completions, embeddings) share around their own handling: one `Call`
 * per request that collects what it learned for the headers, metrics and usage event, and one
 * ending for every way a request can end (answered, refused, or the client gone).
 */
import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { AppError } from "@switchyard/core";
import type { Dispatcher } from "undici";
import type { CompiledDeployment } from "../config/compile.ts";
import { ClientGoneError } from "../http/body.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { sendError, toAppError } from "../http/errors.ts";
import { errorFields } from "../logger.ts";
import { upstreamErrorAnswer } from "../providers/upstream.ts";
import { UsageMeter } from "../usage/meter.ts";
import { finishUsage } from "../usage/record.ts";

/** What one call learned on its way, for headers and metrics. Labels stay "" until known. */
export type Call = { model: string; provider: string; attempts: number; meter: UsageMeter };

/** nginx's "client closed request": the status counted when nobody was left to answer. */
export const clientClosedStatus = 499;

/** Counts the finished request in the metrics and records its usage event. */
export function record(ctx: RequestContext, deps: ProxyDeps, call: Call, status: number): void {
  deps.metrics.observeRequest(call.model, call.provider, status, (performance.now() - ctx.startedAt) / 1000);
  finishUsage(ctx, deps, call.meter, status);
}

/** Answers the error (OpenAI's shape) and records the request with its status. */
export function fail(ctx: RequestContext, deps: ProxyDeps, call: Call, err: AppError): void {
  call.meter.errorCode = err.code;
  ctx.headers.push("x-switchyard-attempts", String(call.attempts));
  // The rest of an oversized body is not read: the connection cannot be reused.
  if (err.code === "payload_too_large") ctx.headers.push("connection", "close");
  sendError(ctx.res, err, ctx.headers);
  record(ctx, deps, call, err.status);
}

/**
 * Runs a route's handling with a fresh Call: a client that went away is recorded as 499, any other
 * error is answered (and logged when it was not one the proxy meant to give).
 */
export async function runCall(
  ctx: RequestContext,
  deps: ProxyDeps,
  what: string,
  handle: (ctx: RequestContext, deps: ProxyDeps, call: Call) => Promise<void>,
): Promise<void> {
  const call: Call = { model: "", provider: "", attempts: 0, meter: new UsageMeter() };
  try {
    await handle(ctx, deps, call);
  } catch (err) {
    if (err instanceof ClientGoneError) {
      record(ctx, deps, call, clientClosedStatus);
      return;
    }
    const appError = toAppError(err);
    if (appError.code === "internal_error") {
      deps.log.error(`${what} failed unexpectedly`, { requestId: ctx.requestId, ...errorFields(err) });
    }
    fail(ctx, deps, call, appError);
  }
}

/**
 * One upstream attempt's abort wiring: the client going away, or our own first-byte and total
 * timers, abort it, and say which did. Our own timers, not only undici's headersTimeout: undici's
 * run on a ~0.5 s tick, too coarse for a first-byte budget of a few hundred ms. `totalMs` bounds
 * streams too.
 */
export class Attempt {
  clientGone = false;
  timedOut: "firstByte" | "total" | null = null;
  private readonly controller = new AbortController();
  private readonly deadline: NodeJS.Timeout;
  private firstByte: NodeJS.Timeout | undefined;

  constructor(res: ServerResponse, timeouts: { firstByteMs: number; totalMs: number }) {
    res.once("close", () => {
      if (res.writableEnded) return;
      this.clientGone = true;
      this.controller.abort();
    });
    this.deadline = setTimeout(() => {
      this.timedOut = "total";
      this.controller.abort();
    }, timeouts.totalMs);
    if (timeouts.firstByteMs < timeouts.totalMs) {
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

  /** The attempt is over: neither timer may fire any more. */
  finished(): void {
    clearTimeout(this.firstByte);
    clearTimeout(this.deadline);
  }
}

/**
 * An upstream 4xx in OpenAI's shape is the client's to read (bad parameter, context too long) and
 * passes through as sent; anything else becomes the proxy's own error (`upstreamErrorAnswer`).
 */
export async function relayUpstreamError(
  ctx: RequestContext,
  deps: ProxyDeps,
  call: Call,
  deployment: CompiledDeployment,
  upstream: Dispatcher.ResponseData,
): Promise<void> {
  const relayed = await upstreamErrorAnswer(deployment, upstream);
  if (relayed.retryAfter !== null) ctx.headers.push("retry-after", relayed.retryAfter);
  sendAnswer(ctx, deps, call, upstream.statusCode, "application/json", relayed.body);
}

/** Sends a whole answer with the call's headers and records the request. */
export function sendAnswer(
  ctx: RequestContext,
  deps: ProxyDeps,
  call: Call,
  status: number,
  contentType: string,
  body: Buffer | string,
): void {
  ctx.headers.push(
    "x-switchyard-attempts",
    String(call.attempts),
    "content-type",
    contentType,
    "content-length",
    String(typeof body === "string" ? Buffer.byteLength(body) : body.length),
  );
  ctx.res.writeHead(status, ctx.headers);
  ctx.res.end(body);
  record(ctx, deps, call, status);
}

/** An error from undici (or our own deadline) as the answer the client gets. */
export function upstreamFailure(err: unknown, attempt: Attempt, deployment: CompiledDeployment): AppError {
  const name = deployment.provider.name;
  const { connectMs, firstByteMs, totalMs } = deployment.timeouts;
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
