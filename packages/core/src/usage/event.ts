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

export const UsageEvent = z.object({
  requestId: text(128).min(1),
  /** When the request arrived at the proxy. */
  at: z.string().datetime(),
  keyId: z.string().uuid().nullable(),
  userId: z.string().uuid().nullable(),
  teamId: z.string().uuid().nullable(),
  /** The model the client asked for. */
  model: text(200).min(1),
  deploymentId: z.string().uuid().nullable(),
  providerId: z.string().uuid().nullable(),
  promptVersionId: text(128).nullable(),
  variant: text(128).nullable(),
  promptTokens: count,
  completionTokens: count,
  /** Exact cost in integer micro-dollars. */
  costMicros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
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
export type UsageBatchAnswer = {
  accepted: number;
  duplicates: number;
  rejected: { index: number; requestId: string | null; message: string }[];
};

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
