/** The mock provider over real HTTP: the OpenAI shapes it answers with and each knob. */
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMockProvider, type MockProvider } from "./server.ts";
import { estimatePromptTokens, estimateTokens, mockEmbedding, mockReplyText } from "./tokens.ts";

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };
type ToolCall = {
  index?: number;
  id?: string;
  type?: string;
  function: { name?: string; arguments: string };
};
type Message = { role: string; content: string | null; tool_calls?: ToolCall[] };
type Choice = { index: number; message: Message; finish_reason: string };
type ChatCompletion = { model: string; choices: Choice[]; usage: Usage };
type ChunkChoice = { delta: Partial<Message>; finish_reason: string | null };
type ChatChunk = { id: string; choices: ChunkChoice[]; usage?: Usage | null };
type Embeddings = { data: { embedding: number[] | string }[] };
type Models = { object: string; data: { id: string }[] };
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };
type Recorded = { method: string; url: string; headers: Record<string, string>; body: { model: string } };

let provider: MockProvider;
let baseUrl: string;

beforeAll(async () => {
  provider = createMockProvider();
  ({ url: baseUrl } = await provider.listen(0));
});
afterAll(() => provider.close());
beforeEach(() => provider.reset());

const question = "What is the capital of France? Answer in one word please.";
const messages = [
  { role: "system", content: "You are terse." },
  { role: "user", content: question },
];

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });
}

/** A chat request over node:http, with an agent of our own (so that the connection it uses is known). */
function request(agent: http.Agent, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}/v1/chat/completions`, { method: "POST", agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return post("/v1/chat/completions", { model: "mock-gpt", messages, ...body }, headers);
}

function firstChoice(completion: ChatCompletion): Choice {
  return completion.choices[0]!;
}

/** The `data:` payloads of an SSE body, in order. */
function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .filter((event) => event.startsWith("data: "))
    .map((event) => event.slice("data: ".length));
}

/** Reads a stream's events until it ends or breaks; `broken` tells whether the body failed. */
async function readEvents(response: Response): Promise<{ events: string[]; broken: boolean }> {
  let text = "";
  let broken = false;
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body!) text += decoder.decode(chunk, { stream: true });
  } catch {
    broken = true;
  }
  return { events: sseData(text), broken };
}

/** The chunks of a complete stream, which must end with [DONE]. */
async function readChunks(response: Response): Promise<ChatChunk[]> {
  const { events, broken } = await readEvents(response);
  expect(broken).toBe(false);
  expect(events.at(-1)).toBe("[DONE]");
  return events.slice(0, -1).map((event) => JSON.parse(event) as ChatChunk);
}

function streamedText(chunks: ChatChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
}

async function expectOpenAIError(
  response: Response,
  status: number,
  type: string,
): Promise<ErrorBody["error"]> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/json");
  const body = await json<ErrorBody>(response);
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.type).toBe(type);
  return body.error;
}

describe("chat completions", () => {
  it("answers a chat.completion with a deterministic reply and usage", async () => {
    const response = await chat({});
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const content = mockReplyText(question, 16);
    expect(content.startsWith("Mock reply to: What is the capital of France?")).toBe(true);
    const promptTokens = estimatePromptTokens(messages);
    expect(promptTokens).toBe(3 + (3 + estimateTokens("You are terse.")) + (3 + 15));
    expect(await response.json()).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "mock-gpt",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: 16, total_tokens: promptTokens + 16 },
      system_fingerprint: "fp_mock",
    });
  });

  it("echoes the request's model and honours max_tokens and max_completion_tokens", async () => {
    const short = await json<ChatCompletion>(chat({ model: "gpt-4o-mini", max_tokens: 5 }));
    expect(short.model).toBe("gpt-4o-mini");
    expect(firstChoice(short).message.content).toBe("Mock reply to: What is");
    expect(firstChoice(short).finish_reason).toBe("length");
    expect(short.usage.completion_tokens).toBe(5);

    const other = await json<ChatCompletion>(chat({ max_completion_tokens: 3 }));
    expect(other.usage.completion_tokens).toBe(3);

    const roomy = await json<ChatCompletion>(chat({ max_tokens: 100 }));
    expect(roomy.usage.completion_tokens).toBe(16);
    expect(firstChoice(roomy).finish_reason).toBe("stop");
  });

  it("streams one chunk per token and ends with [DONE]", async () => {
    const response = await chat({ stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const chunks = await readChunks(response);
    expect(chunks).toHaveLength(1 + 16 + 1);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: "mock-gpt", id: chunks[0]!.id });
      expect(chunk).not.toHaveProperty("usage");
    }
    expect(chunks[0]!.choices[0]!.delta).toMatchObject({ role: "assistant", content: "" });
    expect(streamedText(chunks)).toBe(mockReplyText(question, 16));
    expect(chunks.at(-1)!.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    await expect.poll(() => provider.stats().streams.completed, { timeout: 2000, interval: 10 }).toBe(1);
    expect(provider.stats().streams).toEqual({ started: 1, completed: 1, dropped: 0, aborted: 0 });
  });

  it("sends a final usage chunk with empty choices when stream_options.include_usage is set", async () => {
    const chunks = await readChunks(
      await chat({ stream: true, stream_options: { include_usage: true }, max_tokens: 4 }),
    );
    const last = chunks.at(-1)!;
    const promptTokens = estimatePromptTokens(messages);
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: 4,
      total_tokens: promptTokens + 4,
    });
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("length");
    expect(streamedText(chunks)).toBe(mockReplyText(question, 4));
  });

  it("calls the first tool when tool_choice requires it, or when the toolCalls knob is on", async () => {
    const tools = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object" } } },
      { type: "function", function: { name: "get_time", parameters: { type: "object" } } },
    ];
    const required = firstChoice(await json<ChatCompletion>(chat({ tools, tool_choice: "required" })));
    expect(required.finish_reason).toBe("tool_calls");
    expect(required.message).toMatchObject({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: expect.any(String), type: "function", function: { name: "get_weather", arguments: "{}" } },
      ],
    });

    const named = firstChoice(
      await json<ChatCompletion>(
        chat({ tools, tool_choice: { type: "function", function: { name: "get_time" } } }),
      ),
    );
    expect(named.message.tool_calls?.[0]?.function.name).toBe("get_time");

    const auto = firstChoice(await json<ChatCompletion>(chat({ tools })));
    expect(auto.finish_reason).toBe("stop");
    const byKnob = firstChoice(await json<ChatCompletion>(chat({ tools }, { "x-mock-tool-calls": "true" })));
    expect(byKnob.finish_reason).toBe("tool_calls");

    const afterResult = [...messages, { role: "tool", tool_call_id: "call_1", content: "sunny" }];
    const answered = firstChoice(
      await json<ChatCompletion>(chat({ tools, messages: afterResult }, { "x-mock-tool-calls": "true" })),
    );
    expect(answered.finish_reason).toBe("stop");
  });

  it("streams a tool call as OpenAI does", async () => {
    const tools = [{ type: "function", function: { name: "get_weather" } }];
    const chunks = await readChunks(await chat({ tools, tool_choice: "required", stream: true }));
    expect(chunks[0]!.choices[0]!.delta.tool_calls?.[0]).toMatchObject({
      index: 0,
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    const args = chunks
      .map((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function.arguments ?? "")
      .join("");
    expect(args).toBe("{}");
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("answers a JSON object in JSON mode, streamed or not", async () => {
    const whole = await json<ChatCompletion>(chat({ response_format: { type: "json_object" } }));
    const content = firstChoice(whole).message.content!;
    expect(JSON.parse(content)).toEqual({ reply: mockReplyText(question, 16) });
    const chunks = await readChunks(await chat({ response_format: { type: "json_object" }, stream: true }));
    expect(streamedText(chunks)).toBe(content);
  });
});

describe("embeddings, models, health", () => {
  it("answers deterministic unit vectors of 8 dimensions, or of the requested dimensions", async () => {
    const response = await post("/v1/embeddings", { model: "mock-embed", input: ["hello", "world!!!"] });
    expect(response.status).toBe(200);
    const body = await json<Embeddings>(response);
    expect(body).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: mockEmbedding("hello", 8) },
        { object: "embedding", index: 1, embedding: mockEmbedding("world!!!", 8) },
      ],
      model: "mock-embed",
      usage: { prompt_tokens: 2 + 2, total_tokens: 4 },
    });
    expect(Math.hypot(...mockEmbedding("hello", 8))).toBeCloseTo(1, 5);
    expect(mockEmbedding("hello", 8)).not.toEqual(mockEmbedding("world!!!", 8));

    const sized = await json<Embeddings>(
      post("/v1/embeddings", { model: "mock-embed", input: "hello", dimensions: 3 }),
    );
    expect(sized.data).toHaveLength(1);
    expect(sized.data[0]!.embedding).toHaveLength(3);
  });

  it("encodes vectors as base64 float32 when asked, as the OpenAI SDKs do", async () => {
    const body = await json<Embeddings>(
      post("/v1/embeddings", { model: "mock-embed", input: "hello", encoding_format: "base64" }),
    );
    const bytes = Buffer.from(body.data[0]!.embedding as string, "base64");
    const vector = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    expect(vector).toEqual(mockEmbedding("hello", 8));
  });

  it("rejects embeddings requests without an input", async () => {
    const error = await expectOpenAIError(
      await post("/v1/embeddings", { model: "mock-embed" }),
      400,
      "invalid_request_error",
    );
    expect(error.param).toBe("input");
  });

  it("lists the mock models and answers /healthz", async () => {
    const models = await json<Models>(fetch(`${baseUrl}/v1/models`));
    expect(models.object).toBe("list");
    expect(models.data.map((model) => model.id)).toEqual(["mock-gpt", "mock-gpt-mini", "mock-embed"]);
    expect(models.data[0]).toEqual({
      id: "mock-gpt",
      object: "model",
      created: expect.any(Number),
      owned_by: expect.any(String),
    });
    expect(await json(fetch(`${baseUrl}/v1/models/mock-embed`))).toMatchObject({ id: "mock-embed" });
    expect(await json(fetch(`${baseUrl}/healthz`))).toEqual({ ok: true });
  });
});

describe("bad input", () => {
  it("answers malformed JSON with a 400 in the OpenAI error shape", async () => {
    const error = await expectOpenAIError(
      await post("/v1/chat/completions", "{not json"),
      400,
      "invalid_request_error",
    );
    expect(error.param).toBeNull();
  });

  it("answers a missing model or messages with a 400 naming the parameter", async () => {
    const noMessages = await post("/v1/chat/completions", { model: "mock-gpt" });
    expect((await expectOpenAIError(noMessages, 400, "invalid_request_error")).param).toBe("messages");
    const noModel = await post("/v1/chat/completions", { messages });
    expect((await expectOpenAIError(noModel, 400, "invalid_request_error")).param).toBe("model");
    const badMax = await chat({ max_tokens: 0 });
    expect((await expectOpenAIError(badMax, 400, "invalid_request_error")).param).toBe("max_tokens");
  });

  it("answers an unknown path with a 404 in the same shape", async () => {
    await expectOpenAIError(await post("/v1/nope", {}), 404, "invalid_request_error");
    await expectOpenAIError(await fetch(`${baseUrl}/v1/chat/completions`), 404, "invalid_request_error");
  });

  it("answers an invalid x-mock-* header with a 400 naming it", async () => {
    const error = await expectOpenAIError(
      await chat({}, { "x-mock-latency-ms": "soon" }),
      400,
      "invalid_request_error",
    );
    expect(error.message).toContain("x-mock-latency-ms");
  });
});

describe("knobs", () => {
  it("delays the response by latencyMs", async () => {
    provider.setKnobs({ latencyMs: 120 });
    let started = performance.now();
    const response = await chat({});
    expect(performance.now() - started).toBeGreaterThanOrEqual(120);
    expect(response.status).toBe(200);
    await response.arrayBuffer();

    started = performance.now();
    await (await chat({}, { "x-mock-latency-ms": "200" })).arrayBuffer();
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
  });

  it("delays the first streamed token by ttftMs and paces tokens by tokensPerSecond", async () => {
    const started = performance.now();
    const response = await chat({ stream: true }, { "x-mock-ttft-ms": "100" });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes('"content":"Mock"')) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      text += decoder.decode(value, { stream: true });
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    await reader.cancel();

    const paced = performance.now();
    const chunks = await readChunks(
      await chat({ stream: true }, { "x-mock-tokens-per-second": "50", "x-mock-completion-tokens": "6" }),
    );
    // Six tokens at 50/s: five 20 ms gaps between the first and the last.
    expect(performance.now() - paced).toBeGreaterThanOrEqual(100);
    expect(streamedText(chunks)).toBe(mockReplyText(question, 6));
  });

  it("sets the reply length with completionTokens", async () => {
    const body = await json<ChatCompletion>(chat({}, { "x-mock-completion-tokens": "40" }));
    expect(body.usage.completion_tokens).toBe(40);
    expect(firstChoice(body).message.content).toBe(mockReplyText(question, 40));
  });

  it("answers 429 with Retry-After and the rate-limit error shape", async () => {
    provider.setKnobs({ rateLimit: 7 });
    const response = await chat({});
    expect(response.headers.get("retry-after")).toBe("7");
    const error = await expectOpenAIError(response, 429, "requests");
    expect(error.code).toBe("rate_limit_exceeded");
  });

  it("answers errorStatus with an OpenAI-shaped error", async () => {
    provider.setKnobs({ errorStatus: 503 });
    await expectOpenAIError(await chat({}), 503, "server_error");
    await expectOpenAIError(
      await post("/v1/embeddings", { model: "mock-embed", input: "x" }),
      503,
      "server_error",
    );
    const unauthorized = await chat({}, { "x-mock-error-status": "401" });
    expect((await expectOpenAIError(unauthorized, 401, "invalid_request_error")).code).toBe(
      "invalid_api_key",
    );
  });

  it("lets a request's x-mock-* header override the instance knob", async () => {
    provider.setKnobs({ errorStatus: 500, completionTokens: 2 });
    const response = await chat({}, { "X-Mock-Error-Status": "0", "x-mock-completion-tokens": "3" });
    expect(response.status).toBe(200);
    expect((await json<ChatCompletion>(response)).usage.completion_tokens).toBe(3);
    await expectOpenAIError(await chat({}), 500, "server_error");
  });

  it("fails every Nth request with failEvery", async () => {
    provider.setKnobs({ failEvery: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await chat({});
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500]);
  });

  it("drops the connection after dropAfterChunks events, without [DONE]", async () => {
    const response = await chat({ stream: true }, { "x-mock-drop-after-chunks": "4" });
    expect(response.status).toBe(200);
    const { events, broken } = await readEvents(response);
    expect(broken).toBe(true);
    expect(events).toHaveLength(4);
    expect(events).not.toContain("[DONE]");
    await expect.poll(() => provider.stats().streams.dropped, { timeout: 2000, interval: 10 }).toBe(1);
    expect(provider.stats()).toMatchObject({ inFlight: 0, pendingTimers: 0, clientAborts: 0 });
  });
});

describe("failover knobs", () => {
  it("answers 429 without Retry-After when rateLimitNoRetryAfter is on", async () => {
    provider.setKnobs({ rateLimit: 7, rateLimitNoRetryAfter: true });
    const response = await chat({});
    expect(response.headers.get("retry-after")).toBeNull();
    expect((await expectOpenAIError(response, 429, "requests")).code).toBe("rate_limit_exceeded");
    const withHeader = await chat({}, { "x-mock-rate-limit-no-retry-after": "false" });
    expect(withHeader.headers.get("retry-after")).toBe("7");
    await withHeader.arrayBuffer();
  });

  it("fails the first N requests with failFirst, then answers, until reset", async () => {
    provider.setKnobs({ failFirst: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await chat({});
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([500, 500, 200, 200]);
    provider.reset();
    const viaHeader = await chat({}, { "x-mock-fail-first": "1" });
    expect((await expectOpenAIError(viaHeader, 500, "server_error")).message).toContain("failFirst");
  });

  it("answers 500 for flapMs after the knob is set, then answers", async () => {
    provider.setKnobs({ flapMs: 150 });
    await expectOpenAIError(await chat({}), 500, "server_error");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const healthy = await chat({});
    expect(healthy.status).toBe(200);
    await healthy.arrayBuffer();
    // Reset opens the window again (measured from the reset) for the header's length.
    provider.reset();
    await expectOpenAIError(await chat({}, { "x-mock-flap-ms": "10000" }), 500, "server_error");
  });

  it("resets the connection before any header with resetBeforeHeaders", async () => {
    await expect(chat({}, { "x-mock-reset-before-headers": "true" })).rejects.toThrow();
    await expect.poll(() => provider.stats().inFlight, { timeout: 2000, interval: 10 }).toBe(0);
    expect(provider.stats()).toMatchObject({ clientAborts: 0, byStatus: {} });
  });

  it("never answers with hang, until the client gives up", async () => {
    const controller = new AbortController();
    const pending = chat({}, { "x-mock-hang": "1" }).catch((err: unknown) => err);
    const aborting = post(
      "/v1/chat/completions",
      { model: "mock-gpt", messages },
      { "x-mock-hang": "1" },
      controller.signal,
    );
    await expect.poll(() => provider.stats().inFlight, { timeout: 2000, interval: 10 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(provider.stats().byStatus).toEqual({});
    controller.abort();
    await expect(aborting).rejects.toThrow();
    await expect.poll(() => provider.stats().inFlight, { timeout: 2000, interval: 10 }).toBe(1);
    // close() ends the one left hanging.
    await provider.close();
    expect(await pending).toBeInstanceOf(Error);
    ({ url: baseUrl } = await provider.listen(0));
  });

  it("stalls a stream after stallAfterChunks events with the connection open", async () => {
    const controller = new AbortController();
    const response = await post(
      "/v1/chat/completions",
      { model: "mock-gpt", messages, stream: true },
      { "x-mock-stall-after-chunks": "3" },
      controller.signal,
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (sseData(text).length < 3) text += decoder.decode((await reader.read()).value, { stream: true });
    const next = reader.read();
    const silent = await Promise.race([
      next.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(resolve, 200, true)),
    ]);
    expect(silent).toBe(true);
    expect(sseData(text)).toHaveLength(3);
    expect(provider.stats()).toMatchObject({ inFlight: 1, pendingTimers: 0 });
    controller.abort();
    await next.catch(() => {});
    await expect.poll(() => provider.stats().streams.aborted, { timeout: 2000, interval: 10 }).toBe(1);
  });

  it("writes a malformed event after malformedAfterChunks events, then goes on to [DONE]", async () => {
    const response = await chat({ stream: true }, { "x-mock-malformed-after-chunks": "2" });
    const { events, broken } = await readEvents(response);
    expect(broken).toBe(false);
    expect(events[2]).toBe("{not json");
    expect(events.filter((event) => event === "{not json")).toHaveLength(1);
    expect(events.at(-1)).toBe("[DONE]");
    expect(() => JSON.parse(events[1]!)).not.toThrow();
  });

  it("ends a stream cleanly without [DONE] when omitDone is on", async () => {
    const response = await chat({ stream: true }, { "x-mock-omit-done": "true" });
    const { events, broken } = await readEvents(response);
    expect(broken).toBe(false);
    expect(events).not.toContain("[DONE]");
    const chunks = events.map((event) => JSON.parse(event) as ChatChunk);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(streamedText(chunks)).toBe(mockReplyText(question, 16));
    await expect.poll(() => provider.stats().streams.completed, { timeout: 2000, interval: 10 }).toBe(1);
  });

  it("answers a 200 whose body is not valid JSON with malformedJson", async () => {
    provider.setKnobs({ malformedJson: true });
    const response = await chat({});
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('{"id":"chatcmpl-mock')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    const embeddings = await post("/v1/embeddings", { model: "mock-embed", input: "x" });
    expect(embeddings.status).toBe(200);
    await expect(embeddings.json()).rejects.toThrow();
  });

  it("answers 400 context_length_exceeded when the prompt is longer than contextWindow", async () => {
    const promptTokens = estimatePromptTokens(messages);
    const fits = await chat({}, { "x-mock-context-window": String(promptTokens) });
    expect(fits.status).toBe(200);
    await fits.arrayBuffer();
    const response = await chat({}, { "x-mock-context-window": String(promptTokens - 1) });
    const error = await expectOpenAIError(response, 400, "invalid_request_error");
    expect(error).toEqual({
      message: `This model's maximum context length is ${promptTokens - 1} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
      type: "invalid_request_error",
      param: "messages",
      code: "context_length_exceeded",
    });
  });

  it("answers 400 content_policy_violation with contentPolicy", async () => {
    provider.setKnobs({ contentPolicy: true });
    const error = await expectOpenAIError(await chat({}), 400, "invalid_request_error");
    expect(error.code).toBe("content_policy_violation");
    expect(error.param).toBeNull();
    expect(error.message).toContain("safety system");
    const off = await chat({}, { "x-mock-content-policy": "false" });
    expect(off.status).toBe(200);
    await off.arrayBuffer();
  });
});

describe("connections, stats and admin", () => {
  it("stops producing when the client aborts mid-stream, leaving no timer", async () => {
    const controller = new AbortController();
    const response = await post(
      "/v1/chat/completions",
      { model: "mock-gpt", messages, stream: true },
      { "x-mock-tokens-per-second": "20", "x-mock-completion-tokens": "1000" },
      controller.signal,
    );
    const reader = response.body!.getReader();
    await reader.read();
    await expect.poll(() => provider.stats().pendingTimers, { timeout: 2000, interval: 10 }).toBe(1);
    controller.abort();
    await expect.poll(() => provider.stats().streams.aborted, { timeout: 2000, interval: 10 }).toBe(1);
    expect(provider.stats()).toMatchObject({
      inFlight: 0,
      pendingTimers: 0,
      clientAborts: 1,
      streams: { started: 1, completed: 0, dropped: 0, aborted: 1 },
    });
  });

  it("closes promptly with streams and delays in flight, disarming their timers", async () => {
    const own = createMockProvider({ knobs: { tokensPerSecond: 1, completionTokens: 1000 } });
    const { url } = await own.listen();
    const streaming = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages, stream: true }),
    });
    const reader = streaming.body!.getReader();
    await reader.read();
    const delayed = fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "x-mock-latency-ms": "60000" },
      body: JSON.stringify({ model: "m", messages }),
    }).catch((error: unknown) => error);
    await expect.poll(() => own.stats().pendingTimers, { timeout: 2000, interval: 10 }).toBe(2);
    await own.close();
    expect(own.stats()).toMatchObject({ inFlight: 0, pendingTimers: 0, streams: { aborted: 1 } });
    expect(await delayed).toBeInstanceOf(Error);
    await reader.cancel().catch(() => {});
  });

  it("keeps connections alive across JSON and streamed responses", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let connections = 0;
    const onConnection = () => connections++;
    provider.server.on("connection", onConnection);
    try {
      for (let i = 0; i < 5; i++) {
        for (const stream of [false, true]) {
          const { status, text } = await request(agent, { model: "mock-gpt", messages, stream });
          expect(status).toBe(200);
          expect(stream ? text.endsWith("data: [DONE]\n\n") : text.startsWith("{")).toBe(true);
        }
      }
    } finally {
      provider.server.off("connection", onConnection);
      agent.destroy();
    }
    expect(connections).toBe(1);
  });

  it("counts requests by endpoint and status, admin routes excluded", async () => {
    await (await chat({})).arrayBuffer();
    await (await chat({}, { "x-mock-error-status": "500" })).arrayBuffer();
    await (await post("/v1/embeddings", { model: "mock-embed", input: "x" })).arrayBuffer();
    await (await fetch(`${baseUrl}/nope`)).arrayBuffer();
    await (await fetch(`${baseUrl}/_mock/knobs`)).arrayBuffer();
    const stats = await json(fetch(`${baseUrl}/_mock/stats`));
    expect(stats).toMatchObject({
      total: 4,
      byEndpoint: { "chat.completions": 2, embeddings: 1, not_found: 1 },
      byStatus: { 200: 2, 500: 1, 404: 1 },
      byEndpointStatus: {
        "chat.completions": { 200: 1, 500: 1 },
        embeddings: { 200: 1 },
        not_found: { 404: 1 },
      },
      inFlight: 0,
      pendingTimers: 0,
    });
    expect(provider.stats()).toEqual(stats);
  });

  it("sets, reads and resets instance knobs over HTTP", async () => {
    const set = await post("/_mock/knobs", { errorStatus: 502, completionTokens: 4 });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ errorStatus: 502, completionTokens: 4 });
    expect(await json(fetch(`${baseUrl}/_mock/knobs`))).toMatchObject({ errorStatus: 502 });
    expect(provider.knobs().errorStatus).toBe(502);
    await expectOpenAIError(await chat({}), 502, "server_error");

    const bad = await post("/_mock/knobs", { latencyMs: -1 });
    expect((await expectOpenAIError(bad, 400, "invalid_request_error")).param).toBe("latencyMs");
    await expectOpenAIError(await post("/_mock/knobs", { nope: 1 }), 400, "invalid_request_error");
    expect(() => provider.setKnobs({ errorStatus: 200 })).toThrow(TypeError);

    expect((await post("/_mock/reset", {})).status).toBe(200);
    expect(provider.knobs().errorStatus).toBe(0);
    expect(provider.stats().total).toBe(0);
  });

  it("records the requests it received when recordRequests is on", async () => {
    provider.setKnobs({ recordRequests: 2 });
    for (const model of ["a", "b", "c"]) {
      await (await chat({ model }, { authorization: "Bearer sk-upstream" })).arrayBuffer();
    }
    const recorded = await json<Recorded[]>(fetch(`${baseUrl}/_mock/requests`));
    expect(recorded.map((request) => request.body.model)).toEqual(["b", "c"]);
    expect(recorded[0]).toMatchObject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { authorization: "Bearer sk-upstream" },
    });
  });

  it("checks the API key when one is configured", async () => {
    const own = createMockProvider({ apiKey: "sk-mock" });
    const { url } = await own.listen();
    try {
      const body = JSON.stringify({ model: "m", messages });
      const denied = await fetch(`${url}/v1/chat/completions`, { method: "POST", body });
      expect((await expectOpenAIError(denied, 401, "invalid_request_error")).code).toBe("invalid_api_key");
      const allowed = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-mock" },
        body,
      });
      expect(allowed.status).toBe(200);
      await allowed.arrayBuffer();
    } finally {
      await own.close();
    }
  });
});
