/**
 * The mock's Anthropic Messages API (`POST /v1/messages`): request checks, the reply and its SSE
 * events in Anthropic's shapes (message_start, content_block_start/delta/stop, message_delta,
 * message_stop), and Anthropic's error bodies. The server wires it to the same knobs as the
 * OpenAI routes; the "model" is the same deterministic one.
 */
import { contentText, estimatePromptTokens, estimateTokens, mockReplyTokens } from "./tokens.ts";

export const anthropicErrorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** `{"type":"error","error":{"type","message"}}`, Anthropic's error body. */
export function anthropicError(status: number, message: string): string {
  const type = anthropicErrorTypes[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return JSON.stringify({ type: "error", error: { type, message } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The reply a valid Messages request gets, before it is framed as JSON or SSE. */
export type AnthropicReply = {
  model: string;
  tokens: readonly string[];
  tool: { id: string; name: string } | null;
  inputTokens: number;
  outputTokens: number;
  stopReason: "end_turn" | "max_tokens" | "tool_use";
};

/**
 * Checks a Messages request and works out its reply, or answers the error body to send with 400.
 * `sequence` numbers the ids; `completionTokens` and `toolCalls` are the request's knobs.
 */
export function anthropicReply(
  body: Record<string, unknown>,
  knobs: { completionTokens: number; toolCalls: boolean },
  sequence: number,
): AnthropicReply | { error: string } {
  const invalid = (message: string) => ({ error: anthropicError(400, message) });
  const { model, messages, max_tokens: maxTokens, system } = body;
  if (typeof model !== "string" || model === "") return invalid("model: Field required");
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return invalid("max_tokens: Field required (a positive integer)");
  }
  if (!Array.isArray(messages) || messages.length === 0)
    return invalid("messages: at least one message is required");
  const counted: { content: string }[] = [];
  if (system !== undefined) {
    if (typeof system !== "string" && !Array.isArray(system))
      return invalid("system: must be a string or text blocks");
    counted.push({ content: contentText(system) });
  }
  let lastUser = "";
  let lastIsToolResult = false;
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i];
    if (!isRecord(message) || (message.role !== "user" && message.role !== "assistant")) {
      return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    const content = message.content;
    if (typeof content !== "string" && !Array.isArray(content)) {
      return invalid(`messages.${i}.content: must be a string or a list of content blocks`);
    }
    if (Array.isArray(content)) {
      for (const block of content) {
        if (!isRecord(block) || typeof block.type !== "string") {
          return invalid(`messages.${i}.content: every block must be an object with a type`);
        }
        if (block.type === "text" && typeof block.text === "string" && block.text.length === 0) {
          return invalid(`messages.${i}.content: text content blocks must be non-empty`);
        }
      }
    }
    const text = contentText(content);
    counted.push({ content: text });
    if (message.role === "user") {
      lastUser = text;
      lastIsToolResult =
        Array.isArray(content) && content.some((b) => isRecord(b) && b.type === "tool_result");
    } else lastIsToolResult = false;
  }
  if ((messages[0] as Record<string, unknown>).role !== "user")
    return invalid("messages: the first message must use the user role");

  const tools = Array.isArray(body.tools) ? body.tools : [];
  const choice = isRecord(body.tool_choice) ? body.tool_choice : null;
  const forced = choice !== null && (choice.type === "any" || choice.type === "tool");
  const callTool =
    tools.length > 0 && choice?.type !== "none" && (forced || (knobs.toolCalls && !lastIsToolResult));
  const inputTokens = estimatePromptTokens(counted);
  if (callTool) {
    const first = tools[0];
    const name =
      choice?.type === "tool" && typeof choice.name === "string"
        ? choice.name
        : isRecord(first) && typeof first.name === "string"
          ? first.name
          : "tool";
    return {
      model,
      tokens: [],
      tool: { id: `toolu_mock${sequence.toString(36)}`, name },
      inputTokens,
      outputTokens: estimateTokens(name) + 1,
      stopReason: "tool_use",
    };
  }
  const count = Math.min(knobs.completionTokens, maxTokens);
  return {
    model,
    tokens: mockReplyTokens(lastUser, count),
    tool: null,
    inputTokens,
    outputTokens: count,
    stopReason: count < knobs.completionTokens ? "max_tokens" : "end_turn",
  };
}

/** The non-streaming answer: one `message` object. */
export function anthropicMessageJson(id: string, reply: AnthropicReply): string {
  const content = reply.tool
    ? [{ type: "tool_use", id: reply.tool.id, name: reply.tool.name, input: {} }]
    : [{ type: "text", text: reply.tokens.join("") }];
  return JSON.stringify({
    id,
    type: "message",
    role: "assistant",
    model: reply.model,
    content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: { input_tokens: reply.inputTokens, output_tokens: reply.outputTokens },
  });
}

function sse(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/**
 * The streamed answer as its events, in order: message_start, content_block_start, ping, one
 * content_block_delta per token (the tool input as one input_json_delta), content_block_stop,
 * message_delta (stop reason and output tokens), message_stop. `tokenEvents` locates the deltas.
 */
export function anthropicStreamEvents(
  id: string,
  reply: AnthropicReply,
): { events: string[]; firstTokenEvent: number; tokenEvents: number } {
  const events = [
    sse("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model: reply.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: reply.inputTokens, output_tokens: 1 },
      },
    }),
    sse("content_block_start", {
      index: 0,
      content_block: reply.tool
        ? { type: "tool_use", id: reply.tool.id, name: reply.tool.name, input: {} }
        : { type: "text", text: "" },
    }),
    sse("ping", {}),
  ];
  const firstTokenEvent = events.length;
  if (reply.tool) {
    events.push(
      sse("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: "{}" } }),
    );
  } else {
    for (const token of reply.tokens) {
      events.push(sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: token } }));
    }
  }
  const tokenEvents = events.length - firstTokenEvent;
  events.push(
    sse("content_block_stop", { index: 0 }),
    sse("message_delta", {
      delta: { stop_reason: reply.stopReason, stop_sequence: null },
      usage: { output_tokens: reply.outputTokens },
    }),
    sse("message_stop", {}),
  );
  return { events, firstTokenEvent, tokenEvents };
}
