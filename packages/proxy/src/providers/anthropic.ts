/**
 * Anthropic's Messages API behind the OpenAI chat completions surface: requests are translated to
 * `POST {baseUrl}/v1/messages`, answers (JSON and SSE) back to `chat.completion` and
 * `chat.completion.chunk`, and Anthropic's errors to OpenAI's error shape.
 *
 * Convention: an Anthropic provider's `baseUrl` is the API origin (`https://api.anthropic.com`),
 * as Anthropic's SDKs take it; a baseUrl that already ends in `/v1` is accepted too.
 */
import { AppError, providerAuthHeaders, providerKinds, providerOperationUrl } from "@switchyard/core";
import { type OpenAIErrorBody, type OpenAIErrorType, sseErrorEvent } from "../http/errors.ts";
import { serializeRequest } from "./json.ts";
import type { ChatStreamTranslator, ChatTranslationOptions, ProviderAdapter, Usage } from "./types.ts";

/** The kind's URLs, credential header and API version (the one this translation is written against). */
const kind = providerKinds.anthropic;
/** Anthropic requires `max_tokens`; a request that sets neither OpenAI limit gets this one. */
export const defaultMaxTokens = 4096;

type Json = Record<string, unknown>;
type Block = Json;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(field: string, message: string): AppError {
  return new AppError("invalid_request", message, { fieldErrors: { [field]: [message] } });
}

// ---------------------------------------------------------------------------------------------
// Requests: OpenAI chat completions -> Anthropic messages

/** An OpenAI content part as Anthropic content blocks (text and images). */
function contentBlocks(content: unknown, field: string): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content.length === 0 ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw invalid(field, `'${field}' must be a string or an array of parts.`);
  const blocks: Block[] = [];
  content.forEach((part: unknown, i) => {
    const where = `${field}[${i}]`;
    if (!isRecord(part)) throw invalid(where, `'${where}' must be an object.`);
    if (part.type === "text") {
      if (typeof part.text !== "string") throw invalid(where, `'${where}.text' must be a string.`);
      if (part.text.length > 0) blocks.push({ type: "text", text: part.text });
    } else if (part.type === "image_url") {
      const url = isRecord(part.image_url) ? part.image_url.url : undefined;
      if (typeof url !== "string") throw invalid(where, `'${where}.image_url.url' must be a string.`);
      const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
      blocks.push({
        type: "image",
        source: data ? { type: "base64", media_type: data[1], data: data[2] } : { type: "url", url },
      });
    } else {
      throw invalid(
        where,
        `'${where}': content parts of type ${JSON.stringify(part.type)} cannot be sent to an Anthropic model.`,
      );
    }
  });
  return blocks;
}

function textOf(content: unknown, field: string): string {
  return contentBlocks(content, field)
    .map((block) => (block.type === "text" ? (block.text as string) : ""))
    .join("");
}

function parseArguments(value: unknown, field: string): unknown {
  if (value === undefined || value === "") return {};
  if (typeof value !== "string") throw invalid(field, `'${field}' must be a JSON string.`);
  try {
    const parsed: unknown = JSON.parse(value);
    if (isRecord(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw invalid(field, `'${field}' must be a JSON object encoded as a string.`);
}

/** OpenAI messages as Anthropic's `system` and alternating user/assistant `messages`. */
function translateMessages(messages: unknown[]): {
  system: string[];
  turns: { role: string; content: Block[] }[];
} {
  const system: string[] = [];
  const turns: { role: string; content: Block[] }[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    // Consecutive turns of one role (several tool results in a row) become one turn.
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  messages.forEach((raw, i) => {
    const message = raw as Json;
    const field = `messages[${i}]`;
    switch (message.role) {
      case "system":
      case "developer": {
        const text = textOf(message.content, `${field}.content`);
        if (text.length > 0) system.push(text);
        break;
      }
      case "user":
        push("user", contentBlocks(message.content, `${field}.content`));
        break;
      case "assistant": {
        const blocks = contentBlocks(message.content, `${field}.content`);
        const calls = message.tool_calls;
        if (calls !== undefined && calls !== null) {
          if (!Array.isArray(calls))
            throw invalid(`${field}.tool_calls`, `'${field}.tool_calls' must be an array.`);
          calls.forEach((call: unknown, j) => {
            const where = `${field}.tool_calls[${j}]`;
            if (!isRecord(call) || !isRecord(call.function) || typeof call.function.name !== "string") {
              throw invalid(where, `'${where}' must be a function call with a name.`);
            }
            blocks.push({
              type: "tool_use",
              id: typeof call.id === "string" ? call.id : `call_${i}_${j}`,
              name: call.function.name,
              input: parseArguments(call.function.arguments, `${where}.function.arguments`),
            });
          });
        }
        push("assistant", blocks);
        break;
      }
      case "tool": {
        if (typeof message.tool_call_id !== "string") {
          throw invalid(`${field}.tool_call_id`, `'${field}.tool_call_id' must be a string.`);
        }
        push("user", [
          {
            type: "tool_result",
            tool_use_id: message.tool_call_id,
            content: textOf(message.content, `${field}.content`),
          },
        ]);
        break;
      }
      default:
        throw invalid(
          `${field}.role`,
          `'${field}.role' must be system, developer, user, assistant or tool for an Anthropic model.`,
        );
    }
  });
  if (turns.length === 0) {
    throw invalid("messages", "'messages' must contain at least one user or assistant message with content.");
  }
  return { system, turns };
}

function translateTools(tools: unknown): Block[] {
  if (!Array.isArray(tools)) throw invalid("tools", "'tools' must be an array.");
  return tools.map((tool: unknown, i) => {
    const fn = isRecord(tool) ? tool.function : undefined;
    if (!isRecord(fn) || typeof fn.name !== "string") {
      throw invalid(`tools[${i}]`, `'tools[${i}]' must be {"type":"function","function":{"name",...}}.`);
    }
    return {
      name: fn.name,
      ...(typeof fn.description === "string" ? { description: fn.description } : {}),
      input_schema: isRecord(fn.parameters) ? fn.parameters : { type: "object", properties: {} },
    };
  });
}

function translateToolChoice(choice: unknown, parallel: unknown): Json | undefined {
  let translated: Json | undefined;
  if (choice === undefined || choice === null || choice === "auto") translated = undefined;
  else if (choice === "required") translated = { type: "any" };
  else if (choice === "none") translated = { type: "none" };
  else if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === "string") {
    translated = { type: "tool", name: choice.function.name };
  } else {
    throw invalid("tool_choice", `'tool_choice' must be "auto", "required", "none" or a named function.`);
  }
  if (parallel === false)
    translated = { ...(translated ?? { type: "auto" }), disable_parallel_tool_use: true };
  return translated;
}

/** Anthropic has no JSON mode: the request for one becomes an instruction. */
function responseFormatInstruction(format: unknown): string | null {
  if (!isRecord(format) || format.type === "text" || format.type === undefined) return null;
  if (format.type === "json_object") return "Respond with a single JSON object and nothing else.";
  if (format.type === "json_schema" && isRecord(format.json_schema)) {
    return `Respond with a single JSON object that matches this JSON schema, and nothing else: ${JSON.stringify(format.json_schema.schema ?? {})}`;
  }
  throw invalid("response_format", "'response_format.type' must be text, json_object or json_schema.");
}

function positiveInt(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw invalid(field, `'${field}' must be a positive integer.`);
  }
  return value;
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalid(field, `'${field}' must be a number.`);
  return value;
}

export function toAnthropicRequest(request: Record<string, unknown>, upstreamModel: string): Json {
  const { system, turns } = translateMessages(request.messages as unknown[]);
  const n = request.n;
  if (n !== undefined && n !== null && n !== 1) {
    throw invalid("n", "'n' must be 1 for an Anthropic model (it returns one choice).");
  }
  const instruction = responseFormatInstruction(request.response_format);
  if (instruction !== null) system.push(instruction);
  const body: Json = {
    model: upstreamModel,
    max_tokens:
      positiveInt(request.max_completion_tokens, "max_completion_tokens") ??
      positiveInt(request.max_tokens, "max_tokens") ??
      defaultMaxTokens,
    messages: turns,
  };
  if (system.length > 0) body.system = system.join("\n\n");
  const temperature = optionalNumber(request.temperature, "temperature");
  if (temperature !== undefined) body.temperature = temperature;
  const topP = optionalNumber(request.top_p, "top_p");
  if (topP !== undefined) body.top_p = topP;
  const stop = request.stop;
  if (typeof stop === "string") body.stop_sequences = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) {
    if (stop.length > 0) body.stop_sequences = stop;
  } else if (stop !== undefined && stop !== null) {
    throw invalid("stop", "'stop' must be a string or an array of strings.");
  }
  if (request.tools !== undefined && request.tools !== null) {
    const tools = translateTools(request.tools);
    if (tools.length > 0) body.tools = tools;
  }
  const toolChoice = translateToolChoice(request.tool_choice, request.parallel_tool_calls);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (typeof request.user === "string") body.metadata = { user_id: request.user };
  if (request.stream === true) body.stream = true;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Answers: Anthropic messages -> OpenAI chat completions

const finishReasons: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

export function finishReason(stopReason: unknown): string | null {
  if (typeof stopReason !== "string") return null;
  return finishReasons[stopReason] ?? "stop";
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Anthropic usage (a message's, or a `message_delta` event's) as OpenAI's token counts. */
export function readAnthropicUsage(usage: unknown): Usage | null {
  if (!isRecord(usage)) return null;
  if (typeof usage.input_tokens !== "number" && typeof usage.output_tokens !== "number") return null;
  // Cached prompt tokens are prompt tokens too.
  const promptTokens =
    count(usage.input_tokens) +
    count(usage.cache_creation_input_tokens) +
    count(usage.cache_read_input_tokens);
  const completionTokens = count(usage.output_tokens);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function openAIUsage(usage: Usage): Json {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
  };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function toOpenAIResponse(payload: unknown): string {
  if (!isRecord(payload) || !Array.isArray(payload.content)) {
    throw new AppError(
      "upstream_error",
      "The Anthropic provider answered with a body that is not a message.",
    );
  }
  let text = "";
  const toolCalls: Json[] = [];
  for (const block of payload.content as unknown[]) {
    if (!isRecord(block)) continue;
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "tool_use") {
      toolCalls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const message: Json = {
    role: "assistant",
    content: text.length > 0 || toolCalls.length === 0 ? text : null,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const usage = readAnthropicUsage(payload.usage) ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  return JSON.stringify({
    id: payload.id,
    object: "chat.completion",
    created: nowSeconds(),
    model: payload.model,
    choices: [
      { index: 0, message, logprobs: null, finish_reason: finishReason(payload.stop_reason) ?? "stop" },
    ],
    usage: openAIUsage(usage),
  });
}

/** The streaming translation: Anthropic's SSE events in, OpenAI chunks out, event by event. */
export function createAnthropicStreamTranslator(options: ChatTranslationOptions): ChatStreamTranslator {
  const decoder = new TextDecoder();
  let pending = "";
  let id = "";
  let model = "";
  const created = nowSeconds();
  let promptTokens = 0;
  let completionTokens = 0;
  let sawUsage = false;
  let finished = false;
  /** Anthropic content block index -> OpenAI tool call index. */
  const toolIndex = new Map<number, number>();
  const usageTail = options.includeUsage ? ',"usage":null}' : "}";

  const chunk = (choice: Json): string =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [choice] }).slice(0, -1)}${usageTail}\n\n`;
  const delta = (d: Json, finish: string | null = null): string =>
    chunk({ index: 0, delta: d, logprobs: null, finish_reason: finish });

  function failure(message: string): string {
    finished = true;
    return sseErrorEvent(new AppError("upstream_error", message));
  }

  function onEvent(event: Json): string {
    switch (event.type) {
      case "message_start": {
        const message = isRecord(event.message) ? event.message : {};
        id = typeof message.id === "string" ? message.id : "";
        model = typeof message.model === "string" ? message.model : "";
        const usage = readAnthropicUsage(message.usage);
        if (usage !== null) {
          sawUsage = true;
          promptTokens = usage.promptTokens;
          completionTokens = usage.completionTokens;
        }
        return delta({ role: "assistant", content: "", refusal: null });
      }
      case "content_block_start": {
        const block = isRecord(event.content_block) ? event.content_block : {};
        if (block.type === "tool_use") {
          const index = toolIndex.size;
          toolIndex.set(count(event.index), index);
          return delta({
            tool_calls: [
              { index, id: block.id, type: "function", function: { name: block.name, arguments: "" } },
            ],
          });
        }
        if (block.type === "text" && typeof block.text === "string" && block.text.length > 0) {
          return delta({ content: block.text });
        }
        return "";
      }
      case "content_block_delta": {
        const d = isRecord(event.delta) ? event.delta : {};
        if (d.type === "text_delta" && typeof d.text === "string") return delta({ content: d.text });
        if (d.type === "input_json_delta" && typeof d.partial_json === "string") {
          const index = toolIndex.get(count(event.index));
          if (index === undefined || d.partial_json.length === 0) return "";
          return delta({ tool_calls: [{ index, function: { arguments: d.partial_json } }] });
        }
        return ""; // thinking and signature deltas have no OpenAI counterpart
      }
      case "message_delta": {
        const usage = isRecord(event.usage) ? event.usage : null;
        if (usage !== null) {
          // message_delta's output_tokens is cumulative; input tokens, when present, too.
          sawUsage = true;
          if (typeof usage.output_tokens === "number") completionTokens = usage.output_tokens;
          if (typeof usage.input_tokens === "number") {
            promptTokens =
              usage.input_tokens +
              count(usage.cache_creation_input_tokens) +
              count(usage.cache_read_input_tokens);
          }
        }
        const reason = finishReason(isRecord(event.delta) ? event.delta.stop_reason : undefined);
        return reason === null ? "" : delta({}, reason);
      }
      case "message_stop": {
        finished = true;
        let out = "";
        if (options.includeUsage) {
          const usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
          out += `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: openAIUsage(usage) })}\n\n`;
        }
        return `${out}data: [DONE]\n\n`;
      }
      case "error": {
        const error = isRecord(event.error) ? event.error : {};
        const message = typeof error.message === "string" ? error.message : "unknown error";
        const type = typeof error.type === "string" ? error.type : "error";
        return failure(`The Anthropic provider failed mid-stream (${type}): ${message}`);
      }
      default:
        return ""; // ping, content_block_stop, and event types added later
    }
  }

  function drain(): string {
    let out = "";
    for (;;) {
      const match = /\r?\n\r?\n/.exec(pending);
      if (match === null) return out;
      const raw = pending.slice(0, match.index);
      pending = pending.slice(match.index + match[0].length);
      if (finished) continue;
      let data = "";
      for (const line of raw.split(/\r?\n/)) {
        if (line.startsWith("data:")) data += line.slice(line.startsWith("data: ") ? 6 : 5);
      }
      if (data.length === 0) continue;
      let event: unknown;
      try {
        event = JSON.parse(data);
      } catch {
        out += failure("The Anthropic provider sent a stream event that is not JSON.");
        continue;
      }
      if (isRecord(event)) out += onEvent(event);
    }
  }

  return {
    push(bytes) {
      pending += decoder.decode(bytes, { stream: true });
      return drain();
    },
    end() {
      // An event cut short by the end of the stream is incomplete: it is not translated.
      pending = "";
      if (finished) return "";
      return failure("The Anthropic provider ended the stream before its last event.");
    },
    get usage() {
      return sawUsage
        ? { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens }
        : null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Anthropic error types as the OpenAI type clients switch on. */
const errorTypes: Record<string, OpenAIErrorType> = {
  invalid_request_error: "invalid_request_error",
  request_too_large: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  not_found_error: "invalid_request_error",
  rate_limit_error: "rate_limit_error",
  api_error: "api_error",
  overloaded_error: "api_error",
};

/** An Anthropic error body (`{"type":"error","error":{"type","message"}}`) in OpenAI's shape. */
export function toOpenAIError(payload: unknown): string | null {
  if (!isRecord(payload) || !isRecord(payload.error) || typeof payload.error.message !== "string")
    return null;
  const type = typeof payload.error.type === "string" ? payload.error.type : "api_error";
  const error: OpenAIErrorBody["error"] = {
    message: payload.error.message,
    type: errorTypes[type] ?? "api_error",
    code: type,
    param: null,
  };
  return JSON.stringify({ error });
}

export const anthropicProvider = {
  buildUrl(baseUrl, operation) {
    return providerOperationUrl(kind, baseUrl, operation);
  },

  buildHeaders(apiKey) {
    return { "content-type": "application/json", ...providerAuthHeaders(kind, apiKey) };
  },

  buildChatBody(request, upstreamModel) {
    return serializeRequest(toAnthropicRequest(request, upstreamModel));
  },

  chatResponse: {
    response: toOpenAIResponse,
    stream: createAnthropicStreamTranslator,
  },

  readUsage(payload) {
    if (!isRecord(payload)) return null;
    if (payload.type === "message_start" && isRecord(payload.message))
      return readAnthropicUsage(payload.message.usage);
    return readAnthropicUsage(payload.usage);
  },

  clientError(payload) {
    return toOpenAIError(payload);
  },
} satisfies ProviderAdapter;
