/**
 * Usage events: one per proxied request, sent by proxies to the control plane in batches
 * (`POST /data-plane/v1/usage`), at least once, idempotent on `requestId`.
 */
import { z } from "zod";

/** Postgres `integer`: token counts and durations past it cannot be stored. */
export const maxInt32 = 2_147_483_647;

const nul = "\u0000";
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether Postgres can store the string as text: no NUL character, no unpaired UTF-16 surrogate. */
export function isStorableText(value: string): boolean {
  return !value.includes(nul) && !loneSurrogate.test(value);
}

/**
 * Makes a string storable as Postgres text (NULs dropped, unpaired surrogates replaced by U+FFFD)
 * and cuts it to at most `max` UTF-16 units without splitting a surrogate pair.
 */
export function toStorableText(value: string, max: number): string {
  let text = value.includes(nul) ? value.replaceAll(nul, "") : value;
  if (loneSurrogate.test(text)) {
    text = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  }
  if (text.length <= max) return text;
  const cut = text.charCodeAt(max - 1);
  return text.slice(0, cut >= 0xd800 && cut <= 0xdbff ? max - 1 : max);
}

const text = (max: number) =>
  z.string().max(max).refine(isStorableText, "must not contain NUL characters or unpaired surrogates");
const count = z.number().int().min(0).max(maxInt32);

/**
 * Most tokens one request may report, prompt or completion each. The largest context windows are
 * a few million tokens, so a count past this is a provider's bug or a forged event; either would
 * put a key's rate limits and budget out by more than any real request can.
 */
export const maxUsageTokens = 10_000_000;
const tokens = z
  .number()
  .int()
  .min(0)
  .max(maxUsageTokens, `must be at most ${maxUsageTokens} tokens: no request processes more`);

/**
 * Most one request may cost: $100,000 in micro-dollars. Twice `maxUsageTokens` at list prices costs
 * a few thousand dollars; this leaves room for custom prices far above those, while one forged
 * event can no longer add 2^53 micro-dollars ($9 billion) to a budget and its reports.
 */
export const maxUsageCostMicros = 100_000 * 1_000_000;

/**
 * How far ahead of the control plane's clock an event's `at` may be. Proxies stamp events with
 * their own clock, which NTP keeps within seconds; five minutes forgives a badly set one, while an
 * event from the future would move its key's last use (which only moves forward) there for good.
 */
export const usageEventMaxFutureMs = 5 * 60_000;

/**
 * How old an event may be when it arrives. The proxy spools what it cannot deliver and replays it
 * once the control plane is back, so an event can arrive long after its request: 30 days covers
 * any outage an operator lets run. An older one is refused and kept in the proxy's rejected/.
 */
export const usageEventMaxAgeMs = 30 * 24 * 60 * 60_000;

/** Why `at` is outside the window an event may claim, measured at `now`; null when it is inside. */
export function usageEventTimeProblem(at: string, now: number): string | null {
  const time = Date.parse(at);
  if (time > now + usageEventMaxFutureMs) {
    return `${at} is more than ${usageEventMaxFutureMs / 60_000} minutes ahead of the control plane's clock (${new Date(now).toISOString()}): check the proxy's clock`;
  }
  if (time < now - usageEventMaxAgeMs) {
    return `${at} is more than ${usageEventMaxAgeMs / 86_400_000} days old: usage that old is no longer taken`;
  }
  return null;
}

export const UsageEvent = z.object({
  requestId: text(128).min(1),
  /** When the request arrived at the proxy. */
  at: z.string().datetime(),
  /** The API key that made the request: the proxy records nothing for a request without one. */
  keyId: z.string().uuid(),
  userId: z.string().uuid().nullable(),
  teamId: z.string().uuid().nullable(),
  /** The model the client asked for. */
  model: text(200).min(1),
  deploymentId: z.string().uuid().nullable(),
  providerId: z.string().uuid().nullable(),
  promptVersionId: text(128).nullable(),
  variant: text(128).nullable(),
  promptTokens: tokens,
  completionTokens: tokens,
  /** Exact cost in integer micro-dollars. */
  costMicros: z
    .number()
    .int()
    .min(0)
    .max(
      maxUsageCostMicros,
      `must be at most ${maxUsageCostMicros} micro-dollars ($100,000) for one request`,
    ),
  latencyMs: count,
  ttftMs: count.nullable(),
  /** The HTTP status the client got (499 when the client went away). */
  status: z.number().int().min(100).max(599),
  errorCode: text(64).nullable(),
  stream: z.boolean(),
  moderation: z.record(z.string(), z.unknown()).nullable(),
});
export type UsageEvent = z.infer<typeof UsageEvent>;

export const maxUsageBatch = 1000;

export const UsageBatch = z.object({ events: z.array(UsageEvent).min(1).max(maxUsageBatch) });
export type UsageBatch = z.infer<typeof UsageBatch>;

/**
 * What the control plane answers a delivered batch: it stores every valid event and names each one
 * it could not store (by its index in the batch), so one bad event never holds back the others.
 */
export const UsageBatchAnswer = z.object({
  /** Stored now. */
  accepted: z.number().int().min(0),
  /** Already stored (same requestId): an at-least-once resend. */
  duplicates: z.number().int().min(0),
  rejected: z.array(
    z.object({
      index: z.number().int().min(0),
      requestId: z.string().nullable(),
      message: z.string().min(1),
    }),
  ),
});
export type UsageBatchAnswer = z.infer<typeof UsageBatchAnswer>;

/** Exact cost of a request: tokens × price per million, rounded up to the next micro-dollar. */
export function costMicros(
  promptTokens: number,
  completionTokens: number,
  pricing: { inputMicrosPerMTok: number; outputMicrosPerMTok: number },
): number {
  const total =
    BigInt(promptTokens) * BigInt(pricing.inputMicrosPerMTok) +
    BigInt(completionTokens) * BigInt(pricing.outputMicrosPerMTok);
  return Number((total + 999_999n) / 1_000_000n);
}
