/**
 * POST /v1/embeddings: authenticate the key, read and check the body, resolve the model (an
 * embedding model) to a deployment, and relay the upstream's answer as sent. Errors follow the chat
 * route's rules: the provider's own 4xx pass through, the rest become the proxy's upstream errors.
 */
import { AppError } from "@switchyard/core";
import type { Dispatcher } from "undici";
import type { CompiledDeployment } from "../config/compile.ts";
import { readBody } from "../http/body.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { configNotLoaded } from "../http/errors.ts";
import { authenticateKey, authorizeModel } from "../keys/authenticate.ts";
import { admitRequest } from "../limits/rate-limit.ts";
import { serializeRequest } from "../providers/json.ts";
import { sendUpstream } from "../providers/upstream.ts";
import { scanPromptTokens } from "../usage/tokens.ts";
import { invalidField, parseModelRequest } from "./request-body.ts";
import { Attempt, type Call, relayUpstreamError, runCall, sendAnswer } from "./route-call.ts";

export type EmbeddingsRequest = Record<string, unknown> & { model: string; input: unknown };

/** The light check before forwarding: the fields the proxy routes on, and `input`'s shape. */
export function parseEmbeddingsRequest(raw: Buffer): EmbeddingsRequest {
  const json = parseModelRequest(raw, "'model' and 'input'");
  const { input } = json;
  if (input === undefined) throw invalidField("input", "'input' is required.");
  const validInput =
    typeof input === "string" ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((item) => typeof item === "string") ||
        input.every((item) => typeof item === "number") ||
        input.every((item) => Array.isArray(item) && item.every((token) => typeof token === "number"))));
  if (!validInput) {
    throw invalidField(
      "input",
      "'input' must be a string, a non-empty array of strings, or token arrays (arrays of integers).",
    );
  }
  return json as EmbeddingsRequest;
}

/** Tokens of an embeddings input, estimated as the usage meter estimates prompts: 4 bytes a token. */
function estimateInputTokens(input: unknown): number {
  if (typeof input === "string") return Math.ceil(Buffer.byteLength(input) / 4);
  if (!Array.isArray(input)) return 0;
  let tokens = 0;
  for (const item of input) {
    if (typeof item === "string") tokens += Math.ceil(Buffer.byteLength(item) / 4);
    else if (typeof item === "number") tokens += 1;
    else if (Array.isArray(item)) tokens += item.length; // already tokens
  }
  return tokens;
}

export function embeddings(ctx: RequestContext, deps: ProxyDeps): Promise<void> {
  return runCall(ctx, deps, "embeddings request", handle);
}

async function handle(ctx: RequestContext, deps: ProxyDeps, call: Call): Promise<void> {
  const snapshot = ctx.snapshot;
  if (snapshot === null) throw configNotLoaded();
  const key = authenticateKey(snapshot, ctx.req.headers.authorization, Date.now());
  call.meter.key = key;
  const body = parseEmbeddingsRequest(await readBody(ctx.req, deps.maxBodyBytes));
  call.meter.requested(body);
  // An embedding has no completion: the tpm limit reserves the input's tokens only.
  call.meter.promptEstimate = estimateInputTokens(body.input);
  call.meter.tokenReservation = call.meter.promptEstimate;
  const model = authorizeModel(snapshot, key, body.model);
  call.model = model.name;
  if (model.kind !== "embedding") {
    const message = `The model '${model.name}' is a chat model, not an embedding model; use /v1/chat/completions.`;
    throw new AppError("invalid_request", message, { fieldErrors: { model: ["not an embedding model"] } });
  }
  const deployment = model.deployments[0];
  const provider = deployment.provider;
  call.provider = provider.name;
  ctx.headers.push("x-switchyard-model", model.name, "x-switchyard-deployment", deployment.id);
  if (provider.unavailableReason !== null) throw new AppError("upstream_error", provider.unavailableReason);
  if (provider.embeddingsPath === null) {
    throw new AppError(
      "upstream_error",
      `The upstream provider '${provider.name}' (${provider.kind}) has no embeddings API; deploy '${model.name}' on an OpenAI-compatible provider.`,
    );
  }
  call.meter.routed(deployment);
  await admitRequest(ctx, deps, call.meter);
  body.model = deployment.upstreamModel;
  await forward(ctx, deps, call, deployment, provider.embeddingsPath, serializeRequest(body));
}

async function forward(
  ctx: RequestContext,
  deps: ProxyDeps,
  call: Call,
  deployment: CompiledDeployment,
  path: string,
  payload: string,
): Promise<void> {
  const { res } = ctx;
  const attempt = new Attempt(res, deployment.timeouts);

  try {
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await sendUpstream(
        deps,
        { deployment, path, body: payload, requestId: ctx.requestId, signal: attempt.signal },
        call,
      );
    } finally {
      attempt.started();
    }
    const status = upstream.statusCode;
    if (status >= 200 && status < 300) {
      const answer = Buffer.from(await upstream.body.arrayBuffer());
      const contentType = upstream.headers["content-type"];
      call.meter.answered = true;
      call.meter.promptTokens = scanPromptTokens(answer);
      call.meter.completionTokens = 0;
      sendAnswer(
        ctx,
        deps,
        call,
        status,
        typeof contentType === "string" ? contentType : "application/json",
        answer,
      );
      return;
    }
    await relayUpstreamError(ctx, deps, call, deployment, upstream);
  } catch (err) {
    throw attempt.failure(err, deployment);
  } finally {
    attempt.finished();
  }
}
