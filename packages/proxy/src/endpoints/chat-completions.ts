/**
 * POST /v1/chat/completions, on the model-call pipeline: the chat surface parses the body (see
 * chat-request.ts), builds the provider's request, and relays the answer: JSON translated for
 * providers that do not speak OpenAI's format, streams piped chunk by chunk.
 */
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { runModelCall } from "../pipeline/pipeline.ts";
import { pipeStream, sendAnswer } from "../pipeline/relay.ts";
import type { Surface } from "../pipeline/types.ts";
import { chatAnswer, chatStreamTranslator } from "../providers/upstream.ts";
import { type ChatModelRequest, parseChatRequest } from "./chat-request.ts";

export const chatSurface: Surface<ChatModelRequest> = {
  name: "chat completion",
  modelKind: "chat",
  operation: "chat.completions",
  parse: parseChatRequest,
  upstreamBody(request, deployment) {
    return deployment.provider.adapter.buildChatBody(request.body, deployment.upstreamModel);
  },
  async relay(call, deps, request, upstream, attempt) {
    const deployment = call.deployment!;
    if (request.stream) {
      await pipeStream(call, deps, upstream, attempt, chatStreamTranslator(deployment, request.body));
      return;
    }
    const raw = Buffer.from(await upstream.body.arrayBuffer());
    // Translated to a chat.completion for providers that do not speak OpenAI's format.
    const { body: answer, contentType } = chatAnswer(deployment, raw, upstream.headers["content-type"]);
    call.meter.readAnswer(answer);
    sendAnswer(call, upstream.statusCode, contentType, answer);
  },
};

export function chatCompletions(ctx: RequestContext, deps: ProxyDeps): Promise<void> {
  return runModelCall(ctx, deps, chatSurface);
}
