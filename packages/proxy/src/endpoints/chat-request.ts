/**
 * The light check a chat request gets before it is forwarded: valid JSON, an object, a model name
 * and a non-empty message list. The provider validates the rest; the proxy only needs these fields
 * to route and must answer mistakes in them with a 400 that names the field.
 */
import type { ModelRequest } from "../pipeline/types.ts";
import { completionBound, estimatePromptTokens } from "../usage/tokens.ts";
import { invalidField, isRecord, parseModelRequest } from "./request-body.ts";

export type ChatRequest = Record<string, unknown> & { model: string; messages: unknown[]; stream?: boolean };

export type ChatModelRequest = ModelRequest & { readonly body: ChatRequest };

export function parseChatRequest(raw: Buffer): ChatModelRequest {
  const json = parseModelRequest(raw, "'model' and 'messages'");
  const { messages, stream } = json;
  if (messages === undefined) throw invalidField("messages", "'messages' is required.");
  if (!Array.isArray(messages)) throw invalidField("messages", "'messages' must be an array of messages.");
  if (messages.length === 0) throw invalidField("messages", "'messages' must contain at least one message.");
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i];
    if (!isRecord(message)) throw invalidField(`messages[${i}]`, `'messages[${i}]' must be an object.`);
    if (typeof message.role !== "string") {
      throw invalidField(`messages[${i}].role`, `'messages[${i}].role' must be a string.`);
    }
  }
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
    throw invalidField("stream", "'stream' must be a boolean.");
  }
  const body = json as ChatRequest;
  return {
    body,
    model: body.model,
    stream: stream === true,
    promptTokens: estimatePromptTokens(messages),
    maxCompletionTokens: completionBound(body),
  };
}
