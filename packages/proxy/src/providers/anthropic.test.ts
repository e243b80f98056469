import { AppError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import {
  anthropicProvider,
  createAnthropicStreamTranslator,
  defaultMaxTokens,
  toAnthropicRequest,
  toOpenAIError,
  toOpenAIResponse,
} from "./anthropic.ts";

/** A streamed tool-using answer, in the shape Anthropic's API sends (its documentation's example). */
const toolStreamFixture = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: ping\ndata: {"type": "ping"}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", let\'s check"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San Francisco, CA\\"}"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join("");

type Chunk = {
  id?: string;
  object?: string;
  model?: string;
  choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[];
  usage?: unknown;
};

function events(text: string): string[] {
  return text
    .split("\n\n")
    .filter((e) => e.length > 0)
    .map((e) => {
      expect(e.startsWith("data: ")).toBe(true);
      return e.slice(6);
    });
}

function translateAll(fixture: string, includeUsage: boolean, pieceSize = fixture.length): string {
  const translator = createAnthropicStreamTranslator({ includeUsage });
  const bytes = Buffer.from(fixture);
  let out = "";
  for (let i = 0; i < bytes.length; i += pieceSize) out += translator.push(bytes.subarray(i, i + pieceSize));
  return out + translator.end();
}

describe("Anthropic requests from OpenAI chat completions", () => {
  it("moves system messages to `system` and keeps user/assistant turns", () => {
    const body = toAnthropicRequest(
      {
        model: "alias",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello!" },
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            ],
          },
        ],
        temperature: 0.3,
        top_p: 0.9,
        stop: "END",
        user: "u-1",
        stream: true,
        frequency_penalty: 1,
      },
      "claude-sonnet-4-5",
    );
    expect(body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: defaultMaxTokens,
      system: "Be brief.\n\nAnswer in English.",
      messages: [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "text", text: "Hello!" }] },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
          ],
        },
      ],
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
      stream: true,
    });
  });

  it("takes max_completion_tokens or max_tokens", () => {
    const messages = [{ role: "user", content: "Hi" }];
    expect(toAnthropicRequest({ model: "m", messages, max_tokens: 50 }, "c").max_tokens).toBe(50);
    expect(
      toAnthropicRequest({ model: "m", messages, max_tokens: 50, max_completion_tokens: 20 }, "c").max_tokens,
    ).toBe(20);
  });

  it("translates tools, tool_choice, tool calls and tool results", () => {
    const body = toAnthropicRequest(
      {
        model: "alias",
        messages: [
          { role: "user", content: "Weather in Paris and Rome?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris"}' },
              },
              {
                id: "call_2",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Rome"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: "18C" },
          { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "24C" }] },
        ],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "Weather of a city",
              parameters: { type: "object", properties: { city: { type: "string" } } },
            },
          },
        ],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        parallel_tool_calls: false,
      },
      "claude",
    );
    expect(body.tools).toEqual([
      {
        name: "get_weather",
        description: "Weather of a city",
        input_schema: { type: "object", properties: { city: { type: "string" } } },
      },
    ]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "get_weather", disable_parallel_tool_use: true });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Rome" } },
        ],
      },
      // Consecutive tool results become one user turn.
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18C" },
          { type: "tool_result", tool_use_id: "call_2", content: "24C" },
        ],
      },
    ]);
    const messages = [{ role: "user", content: "x" }];
    expect(toAnthropicRequest({ model: "m", messages, tool_choice: "required" }, "c").tool_choice).toEqual({
      type: "any",
    });
    expect(toAnthropicRequest({ model: "m", messages, tool_choice: "none" }, "c").tool_choice).toEqual({
      type: "none",
    });
    expect(
      toAnthropicRequest({ model: "m", messages, tool_choice: "auto" }, "c").tool_choice,
    ).toBeUndefined();
  });

  it("asks for JSON in words, as Anthropic has no JSON mode", () => {
    const body = toAnthropicRequest(
      { model: "m", messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } },
      "c",
    );
    expect(body.system).toMatch(/single JSON object/);
  });

  it("refuses what the Messages API cannot express with a 400 naming the field", () => {
    const messages = [{ role: "user", content: "x" }];
    const cases: [Record<string, unknown>, string][] = [
      [{ model: "m", messages, n: 2 }, "n"],
      [{ model: "m", messages, max_tokens: "lots" }, "max_tokens"],
      [{ model: "m", messages, stop: 5 }, "stop"],
      [{ model: "m", messages, tools: [{ type: "function" }] }, "tools[0]"],
      [{ model: "m", messages: [{ role: "function", content: "x" }] }, "messages[0].role"],
      [{ model: "m", messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
      [{ model: "m", messages: [{ role: "system", content: "only a system prompt" }] }, "messages"],
      [
        {
          model: "m",
          messages: [{ role: "assistant", tool_calls: [{ function: { name: "f", arguments: "not json" } }] }],
        },
        "messages[0].tool_calls[0].function.arguments",
      ],
    ];
    for (const [request, field] of cases) {
      let thrown: unknown;
      try {
        toAnthropicRequest(request, "c");
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).code).toBe("invalid_request");
      expect(Object.keys((thrown as AppError).fieldErrors ?? {})).toEqual([field]);
    }
  });

  it("posts to {baseUrl}/v1/messages with x-api-key and anthropic-version", () => {
    expect(anthropicProvider.buildUrl("https://api.anthropic.com", "chat.completions")).toBe(
      "https://api.anthropic.com/v1/messages",
    );
    expect(anthropicProvider.buildUrl("https://api.anthropic.com/v1/", "chat.completions")).toBe(
      "https://api.anthropic.com/v1/messages",
    );
    expect(anthropicProvider.buildUrl("https://api.anthropic.com", "embeddings")).toBeNull();
    expect(anthropicProvider.buildHeaders("sk-ant")).toEqual({
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "x-api-key": "sk-ant",
    });
  });
});

describe("OpenAI chat completions from Anthropic messages", () => {
  it("turns a text message into a chat.completion with usage", () => {
    const body = JSON.parse(
      toOpenAIResponse({
        id: "msg_01XFDUDYJgAACzvnptvVoYEL",
        type: "message",
        role: "assistant",
        content: [{ type: "text", text: "Hello!" }],
        model: "claude-sonnet-4-5",
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 6, cache_read_input_tokens: 4 },
      }),
    );
    expect(body).toEqual({
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      object: "chat.completion",
      created: expect.any(Number),
      model: "claude-sonnet-4-5",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello!", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 16, completion_tokens: 6, total_tokens: 22 },
    });
  });

  it("turns tool_use blocks into tool_calls and maps every stop reason", () => {
    const body = JSON.parse(
      toOpenAIResponse({
        id: "msg_1",
        type: "message",
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { location: "Paris" } }],
        model: "claude",
        stop_reason: "tool_use",
        usage: { input_tokens: 5, output_tokens: 7 },
      }),
    );
    expect(body.choices[0].message).toEqual({
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [
        {
          id: "toolu_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"location":"Paris"}' },
        },
      ],
    });
    expect(body.choices[0].finish_reason).toBe("tool_calls");
    const reasonOf = (stop_reason: string) =>
      JSON.parse(toOpenAIResponse({ id: "m", content: [], model: "c", stop_reason })).choices[0]
        .finish_reason;
    expect(reasonOf("max_tokens")).toBe("length");
    expect(reasonOf("stop_sequence")).toBe("stop");
    expect(reasonOf("refusal")).toBe("content_filter");
  });

  it("refuses a body that is not a message as an upstream error", () => {
    expect(() => toOpenAIResponse({ nope: true })).toThrow(AppError);
  });

  it("translates a stream event by event, tool calls and usage included", () => {
    const out = translateAll(toolStreamFixture, true);
    const data = events(out);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id: "msg_014p7gG3wDgGV9EUtLvnow3U",
        object: "chat.completion.chunk",
        model: "claude-sonnet-4-5",
      });
    }
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "", refusal: null });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Okay, let's check");
    const toolDeltas = chunks.flatMap((c) => (c.choices[0]?.delta.tool_calls as unknown[] | undefined) ?? []);
    expect(toolDeltas[0]).toEqual({
      index: 0,
      id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    const args = toolDeltas
      .map((d) => (d as { function: { arguments: string } }).function.arguments)
      .join("");
    expect(JSON.parse(args)).toEqual({ location: "San Francisco, CA" });
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0]?.finish_reason).toBe("tool_calls");
    // With include_usage: "usage":null on every chunk, then one with empty choices and the totals.
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("gives the same output however the upstream bytes are split, CRLF framing included", () => {
    const whole = translateAll(toolStreamFixture, false);
    expect(whole).not.toContain('"usage"');
    for (const size of [1, 3, 17, 100]) expect(translateAll(toolStreamFixture, false, size)).toBe(whole);
    expect(translateAll(toolStreamFixture.replaceAll("\n", "\r\n"), false, 7)).toBe(whole);
    // Multi-byte characters split across chunks survive.
    const unicode = toolStreamFixture.replace("Okay", "Ça va ✓");
    expect(translateAll(unicode, false, 1)).toContain("Ça va ✓");
  });

  it("reports the stream's usage to the proxy even without include_usage", () => {
    const translator = createAnthropicStreamTranslator({ includeUsage: false });
    expect(translator.usage).toBeNull();
    translator.push(Buffer.from(toolStreamFixture));
    expect(translator.usage).toEqual({ promptTokens: 472, completionTokens: 89, totalTokens: 561 });
  });

  it("ends with an OpenAI error event on an error event or a cut stream", () => {
    const overloaded =
      toolStreamFixture.split("event: content_block_stop")[0] +
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const data = events(translateAll(overloaded, false));
    const error = JSON.parse(data.at(-1)!) as { error: { code: string; message: string } };
    expect(error.error.code).toBe("upstream_error");
    expect(error.error.message).toMatch(/overloaded_error.*Overloaded/);
    expect(data).not.toContain("[DONE]");

    const cut = events(translateAll(toolStreamFixture.slice(0, 600), false));
    expect(JSON.parse(cut.at(-1)!).error.message).toMatch(/ended the stream before its last event/);
  });
});

describe("Anthropic errors", () => {
  it("become OpenAI error bodies with the matching type", () => {
    const body = (type: string, message = "m") =>
      JSON.parse(toOpenAIError({ type: "error", error: { type, message } })!);
    expect(body("invalid_request_error", "max_tokens: Field required")).toEqual({
      error: {
        message: "max_tokens: Field required",
        type: "invalid_request_error",
        code: "invalid_request_error",
        param: null,
      },
    });
    expect(body("rate_limit_error").error.type).toBe("rate_limit_error");
    expect(body("overloaded_error").error.type).toBe("api_error");
    expect(body("not_found_error").error.type).toBe("invalid_request_error");
    expect(toOpenAIError({ detail: "x" })).toBeNull();
    expect(toOpenAIError(undefined)).toBeNull();
  });

  it("reads usage from a message and from stream events", () => {
    expect(anthropicProvider.readUsage({ usage: { input_tokens: 3, output_tokens: 4 } })).toEqual({
      promptTokens: 3,
      completionTokens: 4,
      totalTokens: 7,
    });
    expect(
      anthropicProvider.readUsage({
        type: "message_start",
        message: { usage: { input_tokens: 9, output_tokens: 1 } },
      }),
    ).toEqual({ promptTokens: 9, completionTokens: 1, totalTokens: 10 });
    expect(anthropicProvider.readUsage({ type: "ping" })).toBeNull();
  });
});
