/**
 * The rate-limit enforcer: the pipeline's admit stage takes one request and the call's token
 * reservation from its key's rpm/tpm limits (limits/rate-limit.ts), and its settle stage corrects
 * the reservation to the tokens really used. The worked example of an enforcer: a feature that
 * checks something before the upstream call and settles after it writes one of these and adds it
 * to the list `createProxy` passes as `deps.enforcers`.
 */
import type { CompiledKey } from "../config/compile.ts";
import type { Enforcer, ModelRequest } from "../pipeline/types.ts";
import type { RateLimiter } from "./rate-limit.ts";

/** What a request that sets no completion bound reserves for its completion (default). */
export const defaultCompletionReserve = 1024;

/**
 * The tokens a call reserves against its key's tpm: the prompt as counted, plus the completion's
 * bound. A request that sets no bound reserves `completionReserve` (never more than what the key's
 * whole limit leaves beside the prompt), so that a burst of such requests cannot take far more than
 * the limit before the first of them settles.
 */
export function tokensToReserve(key: CompiledKey, request: ModelRequest, completionReserve: number): number {
  if (key.tpm === null) return 0;
  const completion =
    request.maxCompletionTokens ?? Math.min(completionReserve, Math.max(0, key.tpm - request.promptTokens));
  return request.promptTokens + completion;
}

export function rateLimitEnforcer(
  limiter: RateLimiter,
  options: { completionReserve?: number } = {},
): Enforcer {
  const completionReserve = options.completionReserve ?? defaultCompletionReserve;
  return {
    name: "rate-limit",
    async admit(call) {
      const key = call.key!;
      if (key.rpm === null && key.tpm === null) return null;
      const tokens = tokensToReserve(key, call.request!, completionReserve);
      const reservation = await limiter.admit(key, tokens, call.ctx.headers);
      if (reservation === null) return null;
      return {
        settle(_call, usage) {
          limiter.settle(reservation, usage.promptTokens + usage.completionTokens);
        },
      };
    },
  };
}
