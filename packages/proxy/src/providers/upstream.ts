/**
 * One upstream call of a deployment, credentials included: sent with the provider's primary
 * credential and, when the provider answers 401 to it and a fallback credential exists (a rotation's
 * overlap window), sent once more with the fallback. The body is a string the proxy holds, so the
 * retry replays it exactly; for a stream the 401 comes before any byte went to the client.
 */
import { AppError } from "@switchyard/core";
import type { Dispatcher } from "undici";
import type { CompiledDeployment } from "../config/compile.ts";
import type { ProxyMetrics } from "../metrics/metrics.ts";
import type { CredentialAlerts } from "./credential-alerts.ts";
import type { UpstreamPools } from "./pools.ts";
import type { ChatStreamTranslator } from "./types.ts";

export type UpstreamCall = {
  deployment: CompiledDeployment;
  /** Path of the operation on the provider's origin (`provider.chatCompletionsPath`, ...). */
  path: string;
  body: string;
  requestId: string;
  signal: AbortSignal;
};

/**
 * Sends `call` and answers the upstream response. `tally.attempts` is set to the number of
 * upstream requests made (for `x-switchyard-attempts`), before each one goes out.
 */
export async function sendUpstream(
  deps: {
    readonly pools: UpstreamPools;
    readonly credentialAlerts: CredentialAlerts;
    readonly metrics: Pick<ProxyMetrics, "upstreamLatency">;
  },
  call: UpstreamCall,
  tally: { attempts: number },
): Promise<Dispatcher.ResponseData> {
  const { deployment } = call;
  const provider = deployment.provider;
  const pool = deps.pools.get(deployment);
  const options = {
    path: call.path,
    method: "POST" as const,
    body: call.body,
    signal: call.signal,
    headersTimeout: deployment.timeouts.firstByteMs,
    bodyTimeout: deployment.timeouts.totalMs,
  };
  tally.attempts++;
  let sentAt = performance.now();
  const first = await pool.request({
    ...options,
    headers: { ...provider.headers, "x-request-id": call.requestId },
  });
  deps.metrics.upstreamLatency.observe(
    { provider: provider.name, status: first.statusCode },
    (performance.now() - sentAt) / 1000,
  );
  const fallback = provider.fallback;
  if (first.statusCode !== 401 || fallback === null) return first;

  await first.body.dump();
  deps.credentialAlerts.fallback({
    providerId: provider.id,
    providerName: provider.name,
    credentialId: provider.credentialId ?? "",
    message:
      `The upstream provider '${provider.name}' rejected its primary credential ${provider.credentialId} ` +
      `(HTTP 401); requests fall back to credential ${fallback.id}. Replace or fix the primary credential.`,
  });
  tally.attempts++;
  sentAt = performance.now();
  const second = await pool.request({
    ...options,
    headers: { ...fallback.headers, "x-request-id": call.requestId },
  });
  deps.metrics.upstreamLatency.observe(
    { provider: provider.name, status: second.statusCode },
    (performance.now() - sentAt) / 1000,
  );
  return second;
}

/**
 * A successful non-streaming chat answer as the client gets it: as sent by an OpenAI-compatible
 * upstream, translated to a `chat.completion` otherwise.
 */
export function chatAnswer(
  deployment: CompiledDeployment,
  raw: Buffer,
  contentType: unknown,
): { body: Buffer; contentType: string } {
  const translation = deployment.provider.adapter.chatResponse;
  if (translation === null) {
    return { body: raw, contentType: typeof contentType === "string" ? contentType : "application/json" };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AppError(
      "upstream_error",
      `The upstream provider '${deployment.provider.name}' answered with a body that is not JSON.`,
    );
  }
  return { body: Buffer.from(translation.response(payload)), contentType: "application/json" };
}

/** The translation of a streamed chat answer, or null when the upstream's stream passes through. */
export function chatStreamTranslator(
  deployment: CompiledDeployment,
  request: Record<string, unknown>,
): ChatStreamTranslator | null {
  const translation = deployment.provider.adapter.chatResponse;
  if (translation === null) return null;
  const options = request.stream_options;
  const includeUsage =
    typeof options === "object" &&
    options !== null &&
    (options as Record<string, unknown>).include_usage === true;
  return translation.stream({ includeUsage });
}

/**
 * An upstream error answer: the provider's own 4xx in OpenAI's shape is the client's to read (a bad
 * parameter, an input too long) and is returned to relay with its status; anything else throws the
 * proxy's own error (a refused credential or a 5xx is `upstream_error`, an opaque 429 `rate_limited`).
 */
export async function upstreamErrorAnswer(
  deployment: CompiledDeployment,
  upstream: Dispatcher.ResponseData,
): Promise<{ body: string; retryAfter: string | null }> {
  const status = upstream.statusCode;
  const provider = deployment.provider;
  if (status < 400 || status >= 500) {
    await upstream.body.dump();
    throw new AppError("upstream_error", `The upstream provider '${provider.name}' failed (HTTP ${status}).`);
  }
  if (status === 401 || status === 403) {
    // The provider refused the gateway's own credential: the client's key is not the problem.
    await upstream.body.dump();
    throw new AppError(
      "upstream_error",
      `The upstream provider '${provider.name}' rejected the gateway's credentials (HTTP ${status}).`,
    );
  }
  const text = await upstream.body.text();
  const retryAfterHeader = upstream.headers["retry-after"];
  const retryAfter = typeof retryAfterHeader === "string" ? retryAfterHeader : null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = provider.adapter.clientError(parsed, text);
  if (body !== null) return { body, retryAfter };
  if (status === 429) {
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    throw new AppError(
      "rate_limited",
      `The upstream provider '${provider.name}' is rate limiting requests.`,
      {
        ...(Number.isFinite(seconds) && seconds >= 0 ? { retryAfterSeconds: seconds } : {}),
      },
    );
  }
  throw new AppError(
    "upstream_error",
    `The upstream provider '${provider.name}' answered HTTP ${status} with a body that is not an API error; check its baseUrl.`,
  );
}
