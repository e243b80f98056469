/**
 * The light check a chat request gets before it is forwarded: valid JSON, an object, a model name
 * and a non-empty message list. The provider validates the rest; the proxy only needs these fields
 * to route and must answer mistakes in them with a 400 that names the field.
 */
import { AppError } from "@switchyard/core";

export type ChatRequest = Record<string, unknown> & { model: string; messages: unknown[]; stream?: boolean };

function invalidField(field: string, message: string): AppError {
  return new AppError("invalid_request", message, { fieldErrors: { [field]: [message] } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseChatRequest(raw: Buffer): ChatRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    throw new AppError(
      "invalid_request",
      `The request body is not valid JSON (${(err as Error).message}). Send a JSON object with 'model' and 'messages'.`,
    );
  }
  if (!isRecord(json)) {
    throw new AppError(
      "invalid_request",
      "The request body must be a JSON object with 'model' and 'messages'.",
    );
  }
  const { model, messages, stream } = json;
  if (model === undefined) throw invalidField("model", "'model' is required.");
  if (typeof model !== "string" || model.length === 0) {
    throw invalidField("model", "'model' must be a non-empty string.");
  }
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
  return json as ChatRequest;
}
