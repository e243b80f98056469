/**
 * Usage events: one per proxied request, sent by proxies to the control plane in batches
 * (`POST /data-plane/v1/usage`), at least once, idempotent on `requestId`.
 */
import { z } from "zod";

export const UsageEvent = z.object({
  requestId: z.string().min(1).max(128),
  /** When the request arrived at the proxy. */
  at: z.string().datetime(),
  keyId: z.string().uuid().nullable(),
  userId: z.string().uuid().nullable(),
  teamId: z.string().uuid().nullable(),
  /** The model the client asked for. */
  model: z.string().min(1).max(200),
  deploymentId: z.string().uuid().nullable(),
  providerId: z.string().uuid().nullable(),
  promptVersionId: z.string().max(128).nullable(),
  variant: z.string().max(128).nullable(),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  /** Exact cost in integer micro-dollars. */
  costMicros: z.number().int().min(0),
  latencyMs: z.number().int().min(0),
  ttftMs: z.number().int().min(0).nullable(),
  /** The HTTP status the client got (499 when the client went away). */
  status: z.number().int().min(100).max(599),
  errorCode: z.string().max(64).nullable(),
  stream: z.boolean(),
  moderation: z.record(z.string(), z.unknown()).nullable(),
});
export type UsageEvent = z.infer<typeof UsageEvent>;

export const maxUsageBatch = 1000;

export const UsageBatch = z.object({ events: z.array(UsageEvent).min(1).max(maxUsageBatch) });
export type UsageBatch = z.infer<typeof UsageBatch>;

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
