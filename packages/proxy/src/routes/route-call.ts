/**
 * What the model routes (chat completions, embeddings) share around their own handling: one `Call`
 * per request that collects what it learned for the headers, metrics and usage event, and one
 * ending for every way a request can end (answered, refused, or the client gone).
 */
import { performance } from "node:perf_hooks";
import type { AppError } from "@switchyard/core";
import { ClientGoneError } from "../http/body.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { sendError, toAppError } from "../http/errors.ts";
import { errorFields } from "../logger.ts";
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
