/** The mock's Anthropic Messages API over real HTTP: its JSON and SSE shapes, errors and knobs. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMockProvider, type MockProvider } from "./server.ts";
import { estimatePromptTokens, mockReplyText } from "./tokens.ts";

type Block = { type: string; text?: string; id?: string; name?: string; input?: unknown };
type Message = {
  id: string;
  type: string;
  role: string;
  model: string;
  content: Block[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number };
};
type AnthropicErrorBody = { type: "error"; error: { type: string; message: string } };

let provider: MockProvider;
let baseUrl: string;

beforeAll(async () => {
  provider = createMockProvider({ apiKey: "sk-ant-mock" });
  ({ url: baseUrl } = await provider.listen(0));
});
afterAll(() => provider.close());
beforeEach(() => provider.reset());

const question = "What is the capital of France?";
const auth = { "x-api-key": "sk-ant-mock", "anthropic-version": "2023-06-01" };

function messages(body: Record<string, unknown>, headers: Record<string, string> = auth) {
  return fetch(`${baseUrl}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({
      model: "mock-claude",
      max_tokens: 100,
      system: "Be terse.",
      messages: [{ role: "user", content: question }],
      ...body,
    }),
  });
}

/** The events of an Anthropic SSE body as [event name, parsed data]. */
async function readEvents(res: Response): Promise<[string, Record<string, unknown>][]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((e) => e.length > 0)
    .map((e) => {
      const [eventLine, dataLine] = e.split("\n");
      expect(eventLine!.startsWith("event: ")).toBe(true);
      const data = JSON.parse(dataLine!.slice("data: ".length)) as Record<string, unknown>;
      expect(data.type).toBe(eventLine!.slice("event: ".length));
      return [eventLine!.slice("event: ".length), data];
    });
}

async function expectAnthropicError(res: Response, status: number, type: string): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as AnthropicErrorBody;
  expect(body.type).toBe("error");
  expect(body.error.type).toBe(type);
  return body.error.message;
}

describe("POST /v1/messages", () => {
  it("answers a message with the deterministic reply and Anthropic's usage", async () => {
    const res = await messages({});
    expect(res.status).toBe(200);
    const body = (await res.json()) as Message;
    expect(body).toMatchObject({
      type: "message",
      role: "assistant",
      model: "mock-claude",
      content: [{ type: "text", text: mockReplyText(question, 16) }],
      stop_reason: "end_turn",
      usage: {
        input_tokens: estimatePromptTokens([{ content: "Be terse." }, { content: question }]),
        output_tokens: 16,
      },
    });
    expect(body.id).toMatch(/^msg_/);
    expect((await messages({ max_tokens: 4 }).then((r) => r.json())) as Message).toMatchObject({
      stop_reason: "max_tokens",
      usage: { output_tokens: 4 },
    });
  });

  it("streams Anthropic's events, one text delta per token", async () => {
    const res = await messages({ stream: true, max_tokens: 5 });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readEvents(res);
    expect(events.map(([name]) => name)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      ...Array(5).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const text = events
      .filter(([name]) => name === "content_block_delta")
      .map(([, data]) => (data.delta as { text: string }).text)
      .join("");
    expect(text).toBe(mockReplyText(question, 5));
    expect(events.at(-2)![1]).toMatchObject({
      delta: { stop_reason: "max_tokens" },
      usage: { output_tokens: 5 },
    });
    expect(provider.stats().streams.completed).toBe(1);
  });

  it("calls a tool when tool_choice forces it or the toolCalls knob is on, streamed or not", async () => {
    const tools = [{ name: "get_weather", input_schema: { type: "object", properties: {} } }];
    const forced = (await (await messages({ tools, tool_choice: { type: "any" } })).json()) as Message;
    expect(forced.stop_reason).toBe("tool_use");
    expect(forced.content).toEqual([
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "get_weather", input: {} },
    ]);
    expect(((await (await messages({ tools })).json()) as Message).stop_reason).toBe("end_turn");
    provider.setKnobs({ toolCalls: true });
    const events = await readEvents(await messages({ tools, stream: true }));
    expect(events[1]![1]).toMatchObject({ content_block: { type: "tool_use", name: "get_weather" } });
    expect(events[3]![1]).toMatchObject({ delta: { type: "input_json_delta", partial_json: "{}" } });
    expect(events.at(-2)![1]).toMatchObject({ delta: { stop_reason: "tool_use" } });
  });

  it("checks x-api-key and anthropic-version, and the request's fields", async () => {
    expect(
      await expectAnthropicError(
        await messages({}, { "anthropic-version": "2023-06-01" }),
        401,
        "authentication_error",
      ),
    ).toMatch(/x-api-key/);
    expect(
      await expectAnthropicError(
        await messages({}, { "x-api-key": "sk-ant-mock" }),
        400,
        "invalid_request_error",
      ),
    ).toMatch(/anthropic-version/);
    expect(
      await expectAnthropicError(await messages({ max_tokens: undefined }), 400, "invalid_request_error"),
    ).toMatch(/max_tokens/);
    expect(
      await expectAnthropicError(
        await messages({ messages: [{ role: "system", content: "x" }] }),
        400,
        "invalid_request_error",
      ),
    ).toMatch(/role/);
  });

  it("answers the error knobs in Anthropic's error shapes", async () => {
    provider.setKnobs({ rateLimit: 3 });
    const limited = await messages({});
    expect(limited.headers.get("retry-after")).toBe("3");
    await expectAnthropicError(limited, 429, "rate_limit_error");
    provider.setKnobs({ rateLimit: 0, errorStatus: 529 });
    await expectAnthropicError(await messages({}), 529, "overloaded_error");
    provider.setKnobs({ errorStatus: 0, failEvery: 1 });
    await expectAnthropicError(await messages({}), 500, "api_error");
    expect(provider.stats().byEndpoint.messages).toBe(3);
  });

  it("drops a stream after dropAfterChunks events, as on the OpenAI routes", async () => {
    provider.setKnobs({ dropAfterChunks: 4 });
    const dropped = await messages({ stream: true });
    await dropped.text().catch(() => "");
    await expect.poll(() => provider.stats().streams.dropped, { timeout: 2000, interval: 10 }).toBe(1);
  });
});
