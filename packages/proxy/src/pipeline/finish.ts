/**
 * The settle and record stages, run once for every model call however it ended: the call's usage
 * is measured (the provider's own numbers, else estimates), every hold an enforcer took is settled
 * with it, the request, token and cost metrics are counted, and the call's one UsageEvent is queued
 * for the control plane (unless no key was ever established: a 401 bills nobody).
 */
import { performance } from "node:perf_hooks";
import {
  costMicros,
  maxUsageCostMicros,
  maxUsageTokens,
  toStorableText,
  type UsageEvent,
} from "@switchyard/core";
import type { ProxyDeps } from "../http/context.ts";
import { errorFields } from "../logger.ts";
import { tokensForBytes } from "../usage/tokens.ts";
import { type CallUsage, clientClosedStatus, type ModelCall } from "./types.ts";

/**
 * A token count the control plane can store: a provider's own numbers are not trusted to be
 * integers, or small (a 20-digit count, a fraction, a negative), so they are rounded and clamped
 * to the most the control plane accepts for one request.
 */
function tokenCount(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return value >= maxUsageTokens ? maxUsageTokens : Math.round(value);
}

function errorCodeFor(call: ModelCall): string | null {
  if (call.errorCode !== null) return call.errorCode;
  if (call.status === clientClosedStatus) return "client_closed";
  return call.status >= 400 ? `http_${call.status}` : null;
}

/** What the call used: what the provider processed, by its own numbers, else estimated. */
export function measureUsage(call: ModelCall): CallUsage {
  const { meter } = call;
  const translated = meter.translator?.usage ?? null;
  if (meter.promptTokens < 0 && translated !== null) {
    meter.promptTokens = translated.promptTokens;
    meter.completionTokens = translated.completionTokens;
  }
  const estimatedPrompt = meter.answered && call.request !== null ? call.request.promptTokens : 0;
  const promptTokens = tokenCount(meter.promptTokens >= 0 ? meter.promptTokens : estimatedPrompt);
  const completionTokens = tokenCount(
    meter.completionTokens >= 0 ? meter.completionTokens : tokensForBytes(meter.generatedBytes),
  );
  // Billed at the price of the deployment that answered; a call that never got one used nothing.
  const cost =
    call.deployment !== null ? costMicros(promptTokens, completionTokens, call.deployment.pricing) : 0;
  // Capped as the control plane caps one request's cost, so the proxy's own events are never refused.
  return {
    promptTokens,
    completionTokens,
    costMicros: Math.min(cost, maxUsageCostMicros),
    status: call.status,
  };
}

/** Settles every hold, counts the call in the metrics, and queues its usage event. */
export function finishCall(call: ModelCall, deps: ProxyDeps): void {
  const { ctx } = call;
  const elapsedMs = performance.now() - ctx.startedAt;
  const model = call.modelLabel;
  deps.metrics.observeRequest(model, call.providerLabel, call.status, elapsedMs / 1000);
  const key = call.key;
  if (key === null) return;

  const usage = measureUsage(call);
  for (const hold of call.holds) {
    try {
      hold.settle(call, usage);
    } catch (err) {
      // One enforcer's failure must not keep the others from settling, or the event from being recorded.
      deps.log.error("an enforcer failed to settle", { requestId: ctx.requestId, ...errorFields(err) });
    }
  }
  const { promptTokens, completionTokens } = usage;
  if (call.model !== null && (promptTokens > 0 || completionTokens > 0)) {
    deps.metrics.tokens.inc({ model, kind: "prompt" }, promptTokens);
    deps.metrics.tokens.inc({ model, kind: "completion" }, completionTokens);
    if (usage.costMicros > 0) deps.metrics.costMicros.inc({ model }, usage.costMicros);
  }

  const deployment = call.deployment;
  const requested = call.request?.model ?? "";
  const event: UsageEvent = {
    requestId: ctx.requestId,
    at: new Date(performance.timeOrigin + ctx.startedAt).toISOString(),
    keyId: key.id,
    userId: key.userId,
    teamId: key.teamId,
    // The client's words: made storable (no NUL, no unpaired surrogate) and cut to the 200 allowed.
    model: requested === "" ? "(none)" : toStorableText(requested, 200) || "(none)",
    deploymentId: deployment === null ? null : deployment.id,
    providerId: deployment === null ? null : deployment.provider.id,
    promptVersionId: null,
    variant: null,
    promptTokens,
    completionTokens,
    costMicros: usage.costMicros,
    latencyMs: Math.round(elapsedMs),
    ttftMs: call.meter.ttftMs >= 0 ? call.meter.ttftMs : null,
    status: call.status,
    errorCode: errorCodeFor(call),
    stream: call.request?.stream === true,
    moderation: null,
  };
  deps.usage.enqueue(event);
}
