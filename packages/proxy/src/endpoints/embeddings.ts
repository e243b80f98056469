/**
 * POST /v1/embeddings, on the model-call pipeline: the embeddings surface checks the body, sends it
 * on with the deployment's model name, and relays the upstream's answer as sent. Errors follow the
 * chat surface's rules: the provider's own 4xx pass through, the rest become the proxy's errors.
 */
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { runModelCall } from "../pipeline/pipeline.ts";
import { sendAnswer } from "../pipeline/relay.ts";
import type { ModelRequest, Surface } from "../pipeline/types.ts";
import { serializeRequest } from "../providers/json.ts";
import { scanPromptTokens } from "../usage/tokens.ts";
import { invalidField, parseModelRequest } from "./request-body.ts";

export type EmbeddingsRequest = Record<string, unknown> & { model: string; input: unknown };

/** Tokens of an embeddings input, estimated as prompts are: 4 UTF-8 bytes a token. */
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

/** The light check before forwarding: the fields the proxy routes on, and `input`'s shape. */
export function parseEmbeddingsRequest(raw: Buffer): ModelRequest & { readonly body: EmbeddingsRequest } {
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
  const body = json as EmbeddingsRequest;
  // An embedding has no completion: limits reserve the input's tokens only.
  return {
    body,
    model: body.model,
    stream: false,
    promptTokens: estimateInputTokens(input),
    maxCompletionTokens: 0,
  };
}

export const embeddingsSurface: Surface<ReturnType<typeof parseEmbeddingsRequest>> = {
  name: "embeddings request",
  modelKind: "embedding",
  operation: "embeddings",
  parse: parseEmbeddingsRequest,
  upstreamBody(request, deployment) {
    request.body.model = deployment.upstreamModel;
    return serializeRequest(request.body);
  },
  async relay(call, _deps, _request, upstream) {
    const answer = Buffer.from(await upstream.body.arrayBuffer());
    const contentType = upstream.headers["content-type"];
    call.meter.answered = true;
    call.meter.promptTokens = scanPromptTokens(answer);
    call.meter.completionTokens = 0;
    sendAnswer(
      call,
      upstream.statusCode,
      typeof contentType === "string" ? contentType : "application/json",
      answer,
    );
  },
};

export function embeddings(ctx: RequestContext, deps: ProxyDeps): Promise<void> {
  return runModelCall(ctx, deps, embeddingsSurface);
}
