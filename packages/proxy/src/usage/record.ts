/**
 * Turns a finished request's UsageMeter into its one UsageEvent: tokens as the provider reported
 * them (else estimated from the prompt and the streamed text), exact cost from the model's price in
 * the snapshot, the rate-limit reservation settled, token and cost metrics counted, and the event
 * queued for the control plane.
 */
import { performance } from "node:perf_hooks";
import { costMicros, type ModelPricing, maxInt32, toStorableText, type UsageEvent } from "@switchyard/core";
import type { CompiledSnapshot } from "../config/compile.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import type { UsageMeter } from "./meter.ts";
import { tokensForBytes } from "./tokens.ts";

const free: ModelPricing = { inputMicrosPerMTok: 0, outputMicrosPerMTok: 0 };

// Prices by model name, built once per snapshot on first use.
const pricesBySnapshot = new WeakMap<CompiledSnapshot, Map<string, ModelPricing>>();

export function pricingOf(snapshot: CompiledSnapshot, model: string): ModelPricing {
  let prices = pricesBySnapshot.get(snapshot);
  if (prices === undefined) {
    prices = new Map(snapshot.config.models.map((m) => [m.name, m.pricing]));
    pricesBySnapshot.set(snapshot, prices);
  }
  return prices.get(model) ?? free;
}

/**
 * A token count the control plane can store: a provider's own numbers are not trusted to be
 * integers, or small (a 20-digit count, a fraction, a negative), so they are rounded and clamped.
 */
function tokenCount(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return value >= maxInt32 ? maxInt32 : Math.round(value);
}

/** nginx's "client closed request". */
const clientClosedStatus = 499;

function errorCodeFor(meter: UsageMeter, status: number): string | null {
  if (meter.errorCode !== null) return meter.errorCode;
  if (status === clientClosedStatus) return "client_closed";
  return status >= 400 ? `http_${status}` : null;
}

/**
 * Records the request's usage once its answer is finished (or abandoned). A request whose key was
 * never established (401 before a key is known) is billed to nobody and records nothing.
 */
export function finishUsage(ctx: RequestContext, deps: ProxyDeps, meter: UsageMeter, status: number): void {
  if (meter.finished || meter.key === null) return;
  meter.finished = true;
  const key = meter.key;
  const elapsedMs = performance.now() - ctx.startedAt;

  const translated = meter.translator?.usage ?? null;
  if (meter.promptTokens < 0 && translated !== null) {
    meter.promptTokens = translated.promptTokens;
    meter.completionTokens = translated.completionTokens;
  }
  // What the provider processed: its own numbers, else estimates when it answered at all.
  const promptTokens = tokenCount(
    meter.promptTokens >= 0 ? meter.promptTokens : meter.answered ? meter.promptEstimate : 0,
  );
  const completionTokens = tokenCount(
    meter.completionTokens >= 0 ? meter.completionTokens : tokensForBytes(meter.generatedBytes),
  );
  const snapshot = ctx.snapshot;
  const cost =
    meter.modelKnown && snapshot !== null
      ? costMicros(promptTokens, completionTokens, pricingOf(snapshot, meter.model))
      : 0;

  if (meter.reservation !== null) deps.rateLimiter.settle(meter.reservation, promptTokens + completionTokens);
  if (meter.modelKnown && (promptTokens > 0 || completionTokens > 0)) {
    deps.metrics.tokens.inc({ model: meter.model, kind: "prompt" }, promptTokens);
    deps.metrics.tokens.inc({ model: meter.model, kind: "completion" }, completionTokens);
    if (cost > 0) deps.metrics.costMicros.inc({ model: meter.model }, cost);
  }

  const deployment = meter.deployment;
  const event: UsageEvent = {
    requestId: ctx.requestId,
    at: new Date(performance.timeOrigin + ctx.startedAt).toISOString(),
    keyId: key.id,
    userId: key.userId,
    teamId: key.teamId,
    // The client's words: made storable (no NUL, no unpaired surrogate) and cut to the 200 allowed.
    model: meter.model === "" ? "(none)" : toStorableText(meter.model, 200) || "(none)",
    deploymentId: deployment === null ? null : deployment.id,
    providerId: deployment === null ? null : deployment.provider.id,
    promptVersionId: null,
    variant: null,
    promptTokens,
    completionTokens,
    costMicros: cost,
    latencyMs: Math.round(elapsedMs),
    ttftMs: meter.ttftMs >= 0 ? meter.ttftMs : null,
    status,
    errorCode: errorCodeFor(meter, status),
    stream: meter.stream,
    moderation: null,
  };
  deps.usage.enqueue(event);
}
