/**
 * An OpenAI-compatible fake LLM upstream for the quick start, the tests and the benchmarks:
 * deterministic chat completions (JSON and SSE), embeddings and a model list, with latency and
 * fault knobs set per instance (`setKnobs`, `POST /_mock/knobs`) or per request (`x-mock-*` headers).
 *
 * It is the baseline of the proxy benchmark, so the request path logs nothing, keeps no per-request
 * state beyond the exchange itself, and writes each SSE event as soon as it is produced.
 */

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicError, anthropicMessageJson, anthropicReply, anthropicStreamEvents } from "./anthropic.ts";
import {
  defaultKnobs,
  describeKnob,
  type KnobName,
  type Knobs,
  knobByHeader,
  knobFromHeader,
  knobFromJson,
  knobSpecs,
  parseKnobs,
} from "./knobs.ts";
import {
  contentText,
  estimatePromptTokens,
  estimateTokens,
  mockEmbedding,
  mockJsonReplyTokens,
  mockReplyTokens,
} from "./tokens.ts";

export type MockProviderOptions = {
  /** Instance knobs; the rest keep their defaults. */
  knobs?: Partial<Knobs>;
  /**
   * When set, `/v1/*` requests must carry `Authorization: Bearer <apiKey>` (else 401 invalid_api_key);
   * `/v1/messages` requests must carry it as `x-api-key` (else Anthropic's 401 authentication_error).
   */
  apiKey?: string;
  /** Model ids listed by `GET /v1/models` (default: mock-gpt, mock-gpt-mini, mock-embed). */
  models?: readonly string[];
};

/** What a stats key names: one per route, `not_found` for the rest. The `/_mock/*` admin routes are not counted. */
export type Endpoint = "chat.completions" | "embeddings" | "messages" | "models" | "healthz" | "not_found";

export type MockStats = {
  /** Requests received (admin routes excluded). */
  total: number;
  /** Requests received, by endpoint (counted on arrival). */
  byEndpoint: Partial<Record<Endpoint, number>>;
  /** Responses, by HTTP status (counted when the head is written). */
  byStatus: Record<string, number>;
  /** Responses, by endpoint then HTTP status. */
  byEndpointStatus: Partial<Record<Endpoint, Record<string, number>>>;
  /** Requests whose client went away before the response was complete. */
  clientAborts: number;
  streams: {
    started: number;
    /** Ended with `data: [DONE]`. */
    completed: number;
    /** Cut by the `dropAfterChunks` knob. */
    dropped: number;
    /** Cut by the connection closing first (the client went away, or `close()`). */
    aborted: number;
  };
  /** Requests being answered now. */
  inFlight: number;
  /** Delay and pacing timers armed now (0 once every exchange has ended). */
  pendingTimers: number;
};

export type RecordedRequest = {
  method: string;
  /** The request target, query string included. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
};

export type MockProvider = {
  readonly server: http.Server;
  /** Listens on `port` (default 0: any free port) and `host` (default 127.0.0.1). */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stops listening, closes every connection (in-flight streams included) and disarms every timer. */
  close(): Promise<void>;
  /** Merges knobs into the instance knobs; throws a TypeError on an unknown or invalid knob. */
  setKnobs(knobs: Partial<Knobs>): void;
  knobs(): Knobs;
  stats(): MockStats;
  /** The last `recordRequests` model requests, oldest first. */
  requests(): RecordedRequest[];
  /** Resets the stats, the recorded requests and the instance knobs (to the options' knobs). */
  reset(): void;
};

const defaultModels = ["mock-gpt", "mock-gpt-mini", "mock-embed"];
const modelCreated = 1_700_000_000;
const maxBodyBytes = 16 * 1024 * 1024;
const defaultEmbeddingDimensions = 8;
const maxEmbeddingDimensions = 4096;
const systemFingerprint = "fp_mock";

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
};

type ErrorType = "invalid_request_error" | "requests" | "server_error" | "permission_error";

function errorJson(
  message: string,
  type: ErrorType,
  code: string | null,
  param: string | null = null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

/** The OpenAI error an injected status answers with (`errorStatus` knob). */
function injectedError(status: number): string {
  const message = `Mock error ${status} injected by the errorStatus knob.`;
  if (status === 401) return errorJson(message, "invalid_request_error", "invalid_api_key");
  if (status === 403) return errorJson(message, "permission_error", null);
  if (status === 404) return errorJson(message, "invalid_request_error", "model_not_found");
  if (status === 429) return errorJson(message, "requests", "rate_limit_exceeded");
  if (status >= 500) return errorJson(message, "server_error", null);
  return errorJson(message, "invalid_request_error", null);
}

const rateLimitBody = errorJson(
  "Rate limit reached for requests (injected by the mock provider's rateLimit knob).",
  "requests",
  "rate_limit_exceeded",
);
const failEveryBody = errorJson(
  "The server had an error while processing your request (injected by the failEvery knob).",
  "server_error",
  null,
);
const contentPolicyBody = errorJson(
  "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system (injected by the contentPolicy knob).",
  "invalid_request_error",
  "content_policy_violation",
);
const flapBody = errorJson(
  "The server had an error while processing your request (injected by the flapMs knob).",
  "server_error",
  null,
);
const failFirstBody = errorJson(
  "The server had an error while processing your request (injected by the failFirst knob).",
  "server_error",
  null,
);
/** What the `malformedAfterChunks` knob writes into a stream. */
export const malformedSseEvent = "data: {not json\n\n";

/** OpenAI's 400 for a prompt longer than the model's context window (`contextWindow` knob). */
function contextLengthBody(contextWindow: number, promptTokens: number): string {
  return errorJson(
    `This model's maximum context length is ${contextWindow} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
    "invalid_request_error",
    "context_length_exceeded",
    "messages",
  );
}
const malformedJsonBody = errorJson(
  "We could not parse the JSON body of your request. The body must be a JSON object.",
  "invalid_request_error",
  null,
);
const tooLargeBody = errorJson("The request body is too large.", "invalid_request_error", null);
const invalidApiKeyBody = errorJson(
  "Incorrect API key provided.",
  "invalid_request_error",
  "invalid_api_key",
);
const healthzBody = JSON.stringify({ ok: true });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function missingParam(param: string): string {
  return errorJson(
    `Missing required parameter: '${param}'.`,
    "invalid_request_error",
    "missing_required_parameter",
    param,
  );
}

function invalidParam(param: string, expected: string): string {
  return errorJson(
    `Invalid '${param}': expected ${expected}.`,
    "invalid_request_error",
    "invalid_value",
    param,
  );
}

/** An optional positive integer parameter: the value, undefined when absent, or null when invalid. */
function optionalPositiveInt(value: unknown, max: number): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= max ? value : null;
}

/** One request to a model endpoint, from arrival to the end of its response. */
type Exchange = {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly endpoint: "chat.completions" | "embeddings" | "messages";
  readonly knobs: Knobs;
  readonly arrivedAt: number;
  timer: NodeJS.Timeout | null;
  closed: boolean;
  streaming: boolean;
  dropped: boolean;
};

type ChatReply = {
  /** Token chunks of a text reply (empty for a tool call). */
  tokens: readonly string[];
  tool: { id: string; name: string } | null;
  completionTokens: number;
  finishReason: "stop" | "length" | "tool_calls";
};

function newStats(): Omit<MockStats, "inFlight" | "pendingTimers"> {
  return {
    total: 0,
    byEndpoint: {},
    byStatus: {},
    byEndpointStatus: {},
    clientAborts: 0,
    streams: { started: 0, completed: 0, dropped: 0, aborted: 0 },
  };
}

function checkedKnobs(knobs: Partial<Knobs>): Partial<Knobs> {
  for (const [name, value] of Object.entries(knobs)) {
    if (!Object.hasOwn(knobSpecs, name)) throw new TypeError(`Unknown mock provider knob: ${name}`);
    if (value !== undefined && knobFromJson(name as KnobName, value) === undefined) {
      throw new TypeError(`Invalid mock provider knob ${name}: expected ${describeKnob(name as KnobName)}`);
    }
  }
  return knobs;
}

/** The name of the function a tool-call reply calls: the forced one, else the first tool's. */
function toolName(tools: readonly unknown[], choice: unknown): string {
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === "string") {
    return choice.function.name;
  }
  const first = tools[0];
  if (isRecord(first)) {
    if (isRecord(first.function) && typeof first.function.name === "string") return first.function.name;
    if (typeof first.name === "string") return first.name;
  }
  return "tool";
}

export function createMockProvider(options: MockProviderOptions = {}): MockProvider {
  const initialKnobs: Knobs = { ...defaultKnobs, ...checkedKnobs(options.knobs ?? {}) };
  let knobs: Knobs = { ...initialKnobs };
  let stats = newStats();
  let inFlight = 0;
  let pendingTimers = 0;
  /** Model requests that reached the fault stage, for `failEvery` and `failFirst`. */
  let faultCounter = 0;
  /** When the `flapMs` window began: the instance's creation, its last reset, or the knob's last setting. */
  let flapEpoch = performance.now();
  let sequence = 0;
  /** Set by `close()`: called when the last in-flight exchange has ended. */
  let onDrained: (() => void) | null = null;
  let recorded: RecordedRequest[] = [];
  const expectedAuthorization = options.apiKey === undefined ? null : `Bearer ${options.apiKey}`;
  const modelsBody = JSON.stringify({
    object: "list",
    data: (options.models ?? defaultModels).map((id) => ({
      id,
      object: "model",
      created: modelCreated,
      owned_by: "switchyard-mock",
    })),
  });
  const modelBodies = new Map(
    (options.models ?? defaultModels).map((id) => [
      `/v1/models/${id}`,
      JSON.stringify({ id, object: "model", created: modelCreated, owned_by: "switchyard-mock" }),
    ]),
  );

  function countResponse(endpoint: Endpoint, status: number): void {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    let byStatus = stats.byEndpointStatus[endpoint];
    if (byStatus === undefined) {
      byStatus = {};
      stats.byEndpointStatus[endpoint] = byStatus;
    }
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  function sendJson(
    res: ServerResponse,
    endpoint: Endpoint | null,
    status: number,
    body: string,
    retryAfter?: number,
  ): void {
    if (endpoint !== null) countResponse(endpoint, status);
    const headers: http.OutgoingHttpHeaders = {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    };
    if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
    res.writeHead(status, headers);
    res.end(body);
  }

  // Timers are armed and disarmed only here, so that `pendingTimers` tells tests that nothing is left running.
  function fire(ex: Exchange, next: () => void): void {
    ex.timer = null;
    pendingTimers--;
    next();
  }
  function arm(ex: Exchange, ms: number, next: () => void): void {
    pendingTimers++;
    ex.timer = setTimeout(fire, ms, ex, next);
  }
  function disarm(ex: Exchange): void {
    if (ex.timer === null) return;
    clearTimeout(ex.timer);
    ex.timer = null;
    pendingTimers--;
  }
  /** Calls `next` once `deadline` (performance.now() time) has passed; timers may fire a little early. */
  function waitUntil(ex: Exchange, deadline: number, next: () => void): void {
    const remaining = deadline - performance.now();
    if (remaining <= 0) next();
    else arm(ex, Math.ceil(remaining), () => waitUntil(ex, deadline, next));
  }

  /** The knobs of one request: the instance knobs, overridden by its `x-mock-*` headers; or the bad header. */
  function requestKnobs(rawHeaders: readonly string[]): Knobs | string {
    let merged: Knobs | null = null;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const header = rawHeaders[i]!;
      // Cheap prefilter: only `x-mock-*` names are looked up.
      if (header.length < 8 || header.charCodeAt(1) !== 45 || header.charCodeAt(6) !== 45) continue;
      const lower = header.toLowerCase();
      const name = knobByHeader.get(lower);
      if (name === undefined) continue;
      const value = knobFromHeader(name, rawHeaders[i + 1]!.trim());
      if (value === undefined) return lower;
      merged ??= { ...knobs };
      (merged as Record<KnobName, number | boolean>)[name] = value;
    }
    return merged ?? knobs;
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const method = req.method;
    if (path.startsWith("/_mock/")) {
      admin(req, res, method, path);
      return;
    }
    let endpoint: Endpoint;
    if (method === "POST" && path === "/v1/chat/completions") endpoint = "chat.completions";
    else if (method === "POST" && path === "/v1/embeddings") endpoint = "embeddings";
    else if (method === "POST" && path === "/v1/messages") endpoint = "messages";
    else if (method === "GET" && (path === "/v1/models" || modelBodies.has(path))) endpoint = "models";
    else if (method === "GET" && path === "/healthz") endpoint = "healthz";
    else endpoint = "not_found";
    stats.total++;
    stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;

    if (endpoint === "chat.completions" || endpoint === "embeddings" || endpoint === "messages") {
      modelRequest(req, res, endpoint);
      return;
    }
    req.resume();
    if (endpoint === "healthz") sendJson(res, endpoint, 200, healthzBody);
    else if (endpoint === "models") {
      if (expectedAuthorization !== null && req.headers.authorization !== expectedAuthorization) {
        sendJson(res, endpoint, 401, invalidApiKeyBody);
      } else sendJson(res, endpoint, 200, path === "/v1/models" ? modelsBody : modelBodies.get(path)!);
    } else {
      sendJson(
        res,
        endpoint,
        404,
        errorJson(`Invalid URL (${method} ${path})`, "invalid_request_error", null),
      );
    }
  }

  function modelRequest(req: IncomingMessage, res: ServerResponse, endpoint: Exchange["endpoint"]): void {
    const resolved = requestKnobs(req.rawHeaders);
    const ex: Exchange = {
      req,
      res,
      endpoint,
      knobs: typeof resolved === "string" ? knobs : resolved,
      arrivedAt: performance.now(),
      timer: null,
      closed: false,
      streaming: false,
      dropped: false,
    };
    inFlight++;
    res.once("close", () => {
      ex.closed = true;
      inFlight--;
      disarm(ex);
      const finished = res.writableFinished;
      if (!finished && !ex.dropped) stats.clientAborts++;
      if (ex.streaming) {
        if (ex.dropped) stats.streams.dropped++;
        else if (finished) stats.streams.completed++;
        else stats.streams.aborted++;
      }
      if (inFlight === 0 && onDrained !== null) onDrained();
    });

    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) return;
      if (first === null) first = chunk;
      else if (chunks === null) chunks = [first, chunk];
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (ex.closed) return;
      const body = chunks !== null ? Buffer.concat(chunks) : first;
      const respond = () => {
        if (ex.closed) return;
        if (typeof resolved === "string") {
          sendJson(
            res,
            endpoint,
            400,
            errorJson(
              `Invalid ${resolved} header: expected ${describeKnob(knobByHeader.get(resolved)!)}.`,
              "invalid_request_error",
              "invalid_value",
            ),
          );
        } else if (size > maxBodyBytes) sendJson(res, endpoint, 413, tooLargeBody);
        else afterLatency(ex, body);
      };
      if (ex.knobs.latencyMs > 0) waitUntil(ex, ex.arrivedAt + ex.knobs.latencyMs, respond);
      else respond();
    });
  }

  /** Recording, authentication, injected faults, then the endpoint itself. */
  function afterLatency(ex: Exchange, body: Buffer | null): void {
    const { res, endpoint, knobs: k } = ex;
    let payload: unknown;
    try {
      payload = body === null ? undefined : JSON.parse(body.toString("utf8"));
    } catch {
      payload = undefined;
    }
    if (knobs.recordRequests > 0) record(ex, payload ?? body?.toString("utf8") ?? "");
    if (k.resetBeforeHeaders) {
      // Counted as dropped, not as a client abort: the mock itself cut the connection.
      ex.dropped = true;
      ex.req.socket.destroy();
      return;
    }
    // Never answered: the exchange ends when the client (or close()) closes the connection.
    if (k.hang) return;
    if (endpoint === "messages") {
      anthropicExchange(ex, payload);
      return;
    }
    if (expectedAuthorization !== null && ex.req.headers.authorization !== expectedAuthorization) {
      sendJson(res, endpoint, 401, invalidApiKeyBody);
      return;
    }
    if (k.rateLimit > 0) {
      sendJson(res, endpoint, 429, rateLimitBody, k.rateLimitNoRetryAfter ? undefined : k.rateLimit);
      return;
    }
    if (k.errorStatus > 0) {
      sendJson(res, endpoint, k.errorStatus, injectedError(k.errorStatus));
      return;
    }
    faultCounter++;
    if (k.failEvery > 0 && faultCounter % k.failEvery === 0) {
      sendJson(res, endpoint, 500, failEveryBody);
      return;
    }
    if (faultCounter <= k.failFirst) {
      sendJson(res, endpoint, 500, failFirstBody);
      return;
    }
    if (flapping(k)) {
      sendJson(res, endpoint, 500, flapBody);
      return;
    }
    if (!isRecord(payload)) {
      sendJson(res, endpoint, 400, malformedJsonBody);
      return;
    }
    if (k.contentPolicy) {
      sendJson(res, endpoint, 400, contentPolicyBody);
      return;
    }
    if (endpoint === "chat.completions") chatCompletion(ex, payload);
    else embeddings(ex, payload);
  }

  /** `POST /v1/messages`: the same checks and knobs as the OpenAI routes, in Anthropic's shapes. */
  function anthropicExchange(ex: Exchange, payload: unknown): void {
    const { res, endpoint, knobs: k } = ex;
    if (options.apiKey !== undefined && ex.req.headers["x-api-key"] !== options.apiKey) {
      sendJson(res, endpoint, 401, anthropicError(401, "invalid x-api-key"));
      return;
    }
    if (typeof ex.req.headers["anthropic-version"] !== "string") {
      sendJson(res, endpoint, 400, anthropicError(400, "anthropic-version: header is required"));
      return;
    }
    if (k.rateLimit > 0) {
      const message = "Number of requests has exceeded your rate limit (injected by the rateLimit knob).";
      sendJson(
        res,
        endpoint,
        429,
        anthropicError(429, message),
        k.rateLimitNoRetryAfter ? undefined : k.rateLimit,
      );
      return;
    }
    if (k.errorStatus > 0) {
      const message = `Mock error ${k.errorStatus} injected by the errorStatus knob.`;
      sendJson(res, endpoint, k.errorStatus, anthropicError(k.errorStatus, message));
      return;
    }
    faultCounter++;
    if (k.failEvery > 0 && faultCounter % k.failEvery === 0) {
      sendJson(
        res,
        endpoint,
        500,
        anthropicError(500, "Internal server error (injected by the failEvery knob)."),
      );
      return;
    }
    if (faultCounter <= k.failFirst || flapping(k)) {
      sendJson(res, endpoint, 500, anthropicError(500, "Internal server error (injected by the mock)."));
      return;
    }
    if (!isRecord(payload)) {
      sendJson(res, endpoint, 400, anthropicError(400, "The request body is not a valid JSON object."));
      return;
    }
    const reply = anthropicReply(payload, k, ++sequence);
    if ("error" in reply) {
      sendJson(res, endpoint, 400, reply.error);
      return;
    }
    const id = `msg_mock${sequence.toString(36)}`;
    if (payload.stream === true) {
      const { events, firstTokenEvent, tokenEvents } = anthropicStreamEvents(id, reply);
      pumpEvents(ex, events.length, firstTokenEvent, tokenEvents, (e) => events[e]!);
      return;
    }
    answerJson(ex, anthropicMessageJson(id, reply));
  }

  /** Whether the `flapMs` window is still open. */
  function flapping(k: Knobs): boolean {
    return k.flapMs > 0 && performance.now() - flapEpoch < k.flapMs;
  }

  /** A successful non-streamed answer: as is, or cut in half by the `malformedJson` knob. */
  function answerJson(ex: Exchange, body: string): void {
    sendJson(ex.res, ex.endpoint, 200, ex.knobs.malformedJson ? body.slice(0, body.length >> 1) : body);
  }

  function record(ex: Exchange, body: unknown): void {
    recorded.push({ method: ex.req.method ?? "", url: ex.req.url ?? "", headers: ex.req.headers, body });
    if (recorded.length > knobs.recordRequests) recorded.splice(0, recorded.length - knobs.recordRequests);
  }

  function chatCompletion(ex: Exchange, body: Record<string, unknown>): void {
    const { res, knobs: k } = ex;
    const { model, messages } = body;
    if (typeof model !== "string" || model === "") {
      sendJson(
        res,
        ex.endpoint,
        400,
        model === undefined ? missingParam("model") : invalidParam("model", "a string"),
      );
      return;
    }
    if (!Array.isArray(messages) || messages.length === 0) {
      sendJson(
        res,
        ex.endpoint,
        400,
        messages === undefined ? missingParam("messages") : invalidParam("messages", "a non-empty array"),
      );
      return;
    }
    let lastUser: unknown = null;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message: unknown = messages[i];
      if (!isRecord(message) || typeof message.role !== "string") {
        sendJson(res, ex.endpoint, 400, invalidParam(`messages[${i}]`, "an object with a string 'role'"));
        return;
      }
      if (lastUser === null && message.role === "user") lastUser = message.content;
    }
    const maxTokensParam = body.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
    const maxTokens = optionalPositiveInt(body[maxTokensParam], Number.MAX_SAFE_INTEGER);
    if (maxTokens === null) {
      sendJson(res, ex.endpoint, 400, invalidParam(maxTokensParam, "a positive integer"));
      return;
    }

    const lastMessage = messages[messages.length - 1] as Record<string, unknown>;
    const tools = Array.isArray(body.tools) ? body.tools : [];
    const choice = body.tool_choice;
    const forced = choice === "required" || isRecord(choice);
    const callTool =
      tools.length > 0 && choice !== "none" && (forced || (k.toolCalls && lastMessage.role !== "tool"));

    const id = `chatcmpl-mock${(++sequence).toString(36)}`;
    let reply: ChatReply;
    if (callTool) {
      const name = toolName(tools, choice);
      reply = {
        tokens: [],
        tool: { id: `call_mock${sequence.toString(36)}`, name },
        completionTokens: estimateTokens(name) + 1,
        finishReason: "tool_calls",
      };
    } else {
      const count = maxTokens === undefined ? k.completionTokens : Math.min(k.completionTokens, maxTokens);
      const prompt = contentText(lastUser ?? lastMessage.content);
      const responseFormat = body.response_format;
      const json = isRecord(responseFormat) && responseFormat.type === "json_object";
      reply = {
        tokens: json ? mockJsonReplyTokens(prompt, count) : mockReplyTokens(prompt, count),
        tool: null,
        completionTokens: count,
        finishReason: count < k.completionTokens ? "length" : "stop",
      };
    }
    const promptTokens = estimatePromptTokens(messages as { content?: unknown }[]);
    if (k.contextWindow > 0 && promptTokens > k.contextWindow) {
      sendJson(res, ex.endpoint, 400, contextLengthBody(k.contextWindow, promptTokens));
      return;
    }
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: reply.completionTokens,
      total_tokens: promptTokens + reply.completionTokens,
    };
    const created = Math.floor(Date.now() / 1000);

    if (body.stream === true) {
      const streamOptions = body.stream_options;
      const includeUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
      stream(ex, id, created, model, reply, includeUsage ? JSON.stringify(usage) : null);
      return;
    }
    const message = reply.tool
      ? {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: reply.tool.id, type: "function", function: { name: reply.tool.name, arguments: "{}" } },
          ],
          refusal: null,
        }
      : { role: "assistant", content: reply.tokens.join(""), refusal: null };
    answerJson(
      ex,
      JSON.stringify({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
        usage,
        system_fingerprint: systemFingerprint,
      }),
    );
  }

  /**
   * Streams a reply as OpenAI does: a role chunk, one chunk per token, a chunk with the finish
   * reason, the usage chunk (when asked for), then `data: [DONE]`. Each event is written when due.
   */
  function stream(
    ex: Exchange,
    id: string,
    created: number,
    model: string,
    reply: ChatReply,
    usageJson: string | null,
  ): void {
    const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"${systemFingerprint}","choices":[`;
    // With include_usage, OpenAI sends `"usage":null` on every chunk but the last.
    const tail = usageJson === null ? "]}\n\n" : `],"usage":null}\n\n`;
    const tool = reply.tool;
    const tokens = reply.tokens;
    const tokenEvents = tool ? 1 : tokens.length;
    const total = tokenEvents + (usageJson === null ? 3 : 4);
    const firstDelta = tool
      ? `{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"${tool.id}","type":"function","function":{"name":${JSON.stringify(tool.name)},"arguments":""}}],"refusal":null}`
      : `{"role":"assistant","content":"","refusal":null}`;
    const eventAt = (e: number): string => {
      if (e === 0)
        return `${head}{"index":0,"delta":${firstDelta},"logprobs":null,"finish_reason":null}${tail}`;
      if (e <= tokenEvents) {
        const delta = tool
          ? `{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}`
          : `{"content":${JSON.stringify(tokens[e - 1])}}`;
        return `${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}${tail}`;
      }
      if (e === tokenEvents + 1) {
        return `${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reply.finishReason}"}${tail}`;
      }
      if (usageJson !== null && e === tokenEvents + 2) return `${head}],"usage":${usageJson}}\n\n`;
      return "data: [DONE]\n\n";
    };

    pumpEvents(ex, total, 1, tokenEvents, eventAt);
  }

  /**
   * Writes the `total` events of a stream as they fall due: token events (`tokenEvents` of them,
   * from `firstTokenEvent`) paced by tokensPerSecond after ttftMs, the socket cut after
   * dropAfterChunks events, and back-pressure honoured.
   */
  function pumpEvents(
    ex: Exchange,
    total: number,
    firstTokenEvent: number,
    tokenEvents: number,
    eventAt: (e: number) => string,
  ): void {
    const { res, knobs: k } = ex;
    const interval = k.tokensPerSecond > 0 ? 1000 / k.tokensPerSecond : 0;
    const lastTokenEvent = firstTokenEvent + tokenEvents - 1;
    let next = 0;
    let firstTokenAt = 0;
    const pump = (): void => {
      while (!ex.closed) {
        const e = next++;
        let event = eventAt(e);
        if (next === total) {
          // The last event is the terminator ([DONE], or message_stop): omitDone leaves it out.
          if (k.omitDone) res.end();
          else res.end(event);
          return;
        }
        if (next === k.malformedAfterChunks) event += malformedSseEvent;
        if (k.dropAfterChunks > 0 && next >= k.dropAfterChunks) {
          ex.dropped = true;
          res.write(event, () => res.destroy());
          return;
        }
        if (k.stallAfterChunks > 0 && next >= k.stallAfterChunks) {
          // Silent from here on, the connection open: only the client (or close()) ends it.
          res.write(event);
          return;
        }
        const flowing = res.write(event);
        if (e === firstTokenEvent) firstTokenAt = performance.now();
        if (interval > 0 && e >= firstTokenEvent && e < lastTokenEvent) {
          const wait = firstTokenAt + (e - firstTokenEvent + 1) * interval - performance.now();
          if (wait >= 1) {
            arm(ex, wait, pump);
            return;
          }
        }
        if (!flowing) {
          res.once("drain", pump);
          return;
        }
      }
    };

    ex.streaming = true;
    stats.streams.started++;
    countResponse(ex.endpoint, 200);
    res.writeHead(200, sseHeaders);
    res.flushHeaders();
    if (k.ttftMs > 0) waitUntil(ex, performance.now() + k.ttftMs, pump);
    else pump();
  }

  function embeddings(ex: Exchange, body: Record<string, unknown>): void {
    const { res } = ex;
    const { model, input } = body;
    if (typeof model !== "string" || model === "") {
      sendJson(
        res,
        ex.endpoint,
        400,
        model === undefined ? missingParam("model") : invalidParam("model", "a string"),
      );
      return;
    }
    let inputs: string[];
    if (typeof input === "string") inputs = [input];
    else if (
      Array.isArray(input) &&
      input.length > 0 &&
      input.every((item): item is string => typeof item === "string")
    ) {
      inputs = input;
    } else {
      sendJson(
        res,
        ex.endpoint,
        400,
        input === undefined
          ? missingParam("input")
          : invalidParam("input", "a string or a non-empty array of strings"),
      );
      return;
    }
    const dimensions = optionalPositiveInt(body.dimensions, maxEmbeddingDimensions);
    if (dimensions === null) {
      sendJson(
        res,
        ex.endpoint,
        400,
        invalidParam("dimensions", `an integer from 1 to ${maxEmbeddingDimensions}`),
      );
      return;
    }
    const format = body.encoding_format ?? "float";
    if (format !== "float" && format !== "base64") {
      sendJson(res, ex.endpoint, 400, invalidParam("encoding_format", `"float" or "base64"`));
      return;
    }
    let tokens = 0;
    const data = inputs.map((text, index) => {
      tokens += estimateTokens(text);
      const vector = mockEmbedding(text, dimensions ?? defaultEmbeddingDimensions);
      const embedding =
        format === "float" ? vector : Buffer.from(new Float32Array(vector).buffer).toString("base64");
      return { object: "embedding", index, embedding };
    });
    answerJson(
      ex,
      JSON.stringify({ object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    );
  }

  function readJson(req: IncomingMessage, done: (value: unknown) => void): void {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      if (text.length <= maxBodyBytes) text += chunk;
    });
    req.on("end", () => {
      try {
        done(JSON.parse(text));
      } catch {
        done(undefined);
      }
    });
  }

  /** The admin routes, for tests in other processes: knobs, stats, recorded requests, reset. */
  function admin(req: IncomingMessage, res: ServerResponse, method: string | undefined, path: string): void {
    if (method === "GET" && path === "/_mock/knobs") sendJson(res, null, 200, JSON.stringify(knobs));
    else if (method === "GET" && path === "/_mock/stats")
      sendJson(res, null, 200, JSON.stringify(provider.stats()));
    else if (method === "GET" && path === "/_mock/requests")
      sendJson(res, null, 200, JSON.stringify(recorded));
    else if (method === "POST" && path === "/_mock/reset") {
      req.resume();
      provider.reset();
      sendJson(res, null, 200, JSON.stringify(knobs));
    } else if (method === "POST" && path === "/_mock/knobs") {
      readJson(req, (input) => {
        if (input === undefined) {
          sendJson(res, null, 400, malformedJsonBody);
          return;
        }
        const parsed = parseKnobs(input);
        if (parsed.ok) {
          knobs = { ...knobs, ...parsed.knobs };
          if (parsed.knobs.flapMs !== undefined) flapEpoch = performance.now();
          sendJson(res, null, 200, JSON.stringify(knobs));
        } else if (parsed.knob === "") {
          sendJson(res, null, 400, malformedJsonBody);
        } else {
          const known = Object.hasOwn(knobSpecs, parsed.knob);
          const message = known
            ? `Invalid knob '${parsed.knob}': expected ${describeKnob(parsed.knob as KnobName)}.`
            : `Unknown knob '${parsed.knob}'.`;
          sendJson(res, null, 400, errorJson(message, "invalid_request_error", "invalid_value", parsed.knob));
        }
      });
    } else {
      req.resume();
      sendJson(res, null, 404, errorJson(`Invalid URL (${method} ${path})`, "invalid_request_error", null));
    }
  }

  const server = http.createServer(onRequest);
  // Benchmarks and proxies keep connections open between requests: outlive their idle timeouts.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const provider: MockProvider = {
    server,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once("error", onError);
        server.listen(port, host, () => {
          server.off("error", onError);
          const bound = (server.address() as AddressInfo).port;
          const urlHost = host.includes(":") ? `[${host}]` : host;
          resolve({ url: `http://${urlHost}:${bound}`, port: bound });
        });
      });
    },
    async close() {
      // Destroyed sockets close their responses a little later (libuv's close phase); wait for
      // every exchange's close handler, which disarms its timers, before answering.
      const drained =
        inFlight === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              onDrained = resolve;
            });
      const closed = server.listening
        ? new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
        : Promise.resolve();
      server.closeAllConnections();
      await closed;
      await drained;
      onDrained = null;
    },
    setKnobs(next) {
      knobs = { ...knobs, ...checkedKnobs(next) };
      if (next.flapMs !== undefined) flapEpoch = performance.now();
    },
    knobs: () => ({ ...knobs }),
    stats: () => ({ ...structuredClone(stats), inFlight, pendingTimers }),
    requests: () => recorded.slice(),
    reset() {
      stats = newStats();
      recorded = [];
      faultCounter = 0;
      flapEpoch = performance.now();
      knobs = { ...initialKnobs };
    },
  };
  return provider;
}
