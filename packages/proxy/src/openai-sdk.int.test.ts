/**
 * The official `openai` npm SDK pointed at the proxy, unchanged: chat (JSON, streaming with usage,
 * tools, JSON mode), embeddings, the model list, and its typed errors, against the real mock
 * provider (an OpenAI-compatible deployment and an Anthropic one).
 */
import { createMockProvider, type MockProvider, mockReplyText } from "@switchyard/mock-provider";
import OpenAI, { type APIError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "./index.ts";
import { silentLogger } from "./logger.ts";
import { createFakeControlPlane } from "./testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "./testing/gateway-config.ts";

const token = "openai-sdk-int-data-plane-token";
const question = "Say hello";

let mock: MockProvider;
let controlPlane: ReturnType<typeof createFakeControlPlane>;
let proxy: ProxyServer;
let client: OpenAI;
let baseURL: string;

function sdk(apiKey: string): OpenAI {
  // No retries: each call is one request, so errors surface as they are answered.
  return new OpenAI({ apiKey, baseURL, maxRetries: 0 });
}

beforeAll(async () => {
  mock = createMockProvider();
  const { url: mockUrl } = await mock.listen();
  controlPlane = createFakeControlPlane({ token, holdMs: 1000 });
  const cpUrl = await controlPlane.listen();
  controlPlane.publish(
    gatewayConfig({
      keys: [
        testKey({ id: "k_sdk", secrets: [{ secret: "sk-sdk" }] }),
        testKey({ id: "k_narrow", secrets: [{ secret: "sk-narrow" }], allowedModels: ["gpt-sdk"] }),
        testKey({
          id: "k_revoked",
          secrets: [{ secret: "sk-revoked" }],
          revokedAt: "2020-01-01T00:00:00.000Z",
        }),
      ],
      providers: [
        testProvider({ id: "prov_openai", baseUrl: `${mockUrl}/v1` }),
        testProvider({ id: "prov_anthropic", name: "mock-anthropic", kind: "anthropic", baseUrl: mockUrl }),
      ],
      models: [
        testModel({ name: "gpt-sdk", deployments: [{ id: "dep_gpt", providerId: "prov_openai" }] }),
        testModel({
          name: "embed-sdk",
          kind: "embedding",
          deployments: [{ id: "dep_embed", providerId: "prov_openai", upstreamModel: "mock-embed" }],
        }),
        testModel({
          name: "claude-sdk",
          deployments: [{ id: "dep_claude", providerId: "prov_anthropic", upstreamModel: "mock-claude" }],
        }),
      ],
    }),
  );
  proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath: null,
    logger: silentLogger,
    maxBodyBytes: 64 * 1024,
    pollBackoff: { initialMs: 50, maxMs: 200 },
  });
  const { url } = await proxy.listen(0);
  baseURL = `${url}/v1`;
  await vi.waitFor(() => expect(proxy.configStore.version).toBe(1), { timeout: 5000 });
  client = sdk("sk-sdk");
});

afterAll(async () => {
  await proxy?.close();
  await controlPlane?.close();
  await mock?.close();
});

beforeEach(() => mock.reset());

describe("the openai SDK through the proxy", () => {
  it("creates a chat completion", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-sdk",
      messages: [{ role: "user", content: question }],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe(mockReplyText(question, 16));
    expect(completion.usage?.completion_tokens).toBe(16);
  });

  it("reads the proxy's headers through withResponse()", async () => {
    const { response } = await client.chat.completions
      .create({ model: "gpt-sdk", messages: [{ role: "user", content: question }] })
      .withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("gpt-sdk");
    expect(response.headers.get("x-switchyard-attempts")).toBe("1");
  });

  it("streams a chat completion with include_usage", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-sdk",
      messages: [{ role: "user", content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(mockReplyText(question, 16));
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(16);
  });

  it("passes tools and response_format through", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } },
      },
    ];
    const called = await client.chat.completions.create({
      model: "gpt-sdk",
      messages: [{ role: "user", content: question }],
      tools,
      tool_choice: "required",
    });
    const call = called.choices[0]?.message.tool_calls?.[0];
    expect(called.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("lookup");

    const json = await client.chat.completions.create({
      model: "gpt-sdk",
      messages: [{ role: "user", content: question }],
      response_format: { type: "json_object" },
    });
    expect(JSON.parse(json.choices[0]?.message.content ?? "")).toHaveProperty("reply");
  });

  it("uses the stream helper's tool-call accumulation", async () => {
    const runner = client.chat.completions.stream({
      model: "gpt-sdk",
      messages: [{ role: "user", content: question }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
      tool_choice: "required",
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: "function",
      function: { name: "lookup", arguments: "{}" },
    });
  });

  it("creates embeddings (the SDK asks for base64 and decodes it)", async () => {
    const result = await client.embeddings.create({ model: "embed-sdk", input: ["one", "two"] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(8);
    const norm = Math.hypot(...(result.data[0]?.embedding ?? []));
    expect(norm).toBeCloseTo(1, 5);
  });

  it("lists the key's models", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(["claude-sdk", "embed-sdk", "gpt-sdk"]);
    const narrow: string[] = [];
    for await (const model of sdk("sk-narrow").models.list()) narrow.push(model.id);
    expect(narrow).toEqual(["gpt-sdk"]);
  });

  it("talks to an Anthropic deployment as to any chat model, streaming included", async () => {
    const completion = await client.chat.completions.create({
      model: "claude-sdk",
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: question },
      ],
      max_tokens: 8,
    });
    expect(completion.choices[0]?.message.content).toBe(mockReplyText(question, 8));
    expect(completion.choices[0]?.finish_reason).toBe("length");

    const stream = await client.chat.completions.create({
      model: "claude-sdk",
      messages: [{ role: "user", content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(mockReplyText(question, 16));
    expect(usage?.completion_tokens).toBe(16);

    const tools = await client.chat.completions.stream({
      model: "claude-sdk",
      messages: [{ role: "user", content: question }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
      tool_choice: { type: "function", function: { name: "lookup" } },
    });
    const final = await tools.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: "lookup", arguments: "{}" },
    });
  });
});

describe("the openai SDK's error handling", () => {
  async function thrown(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (err) {
      return err;
    }
    throw new Error("expected the call to throw");
  }

  const ask = (c: OpenAI, model = "gpt-sdk") =>
    c.chat.completions.create({ model, messages: [{ role: "user", content: question }] });

  it("throws AuthenticationError for a wrong or revoked key", async () => {
    const wrong = await thrown(ask(sdk("sk-wrong")));
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(wrong).toMatchObject({ status: 401, code: "invalid_api_key", type: "authentication_error" });
    expect((wrong as APIError).requestID).toBeTruthy();
    expect(await thrown(ask(sdk("sk-revoked")))).toMatchObject({ status: 401, code: "key_revoked" });
  });

  it("throws NotFoundError for an unknown model and PermissionDeniedError for a forbidden one", async () => {
    const unknown = await thrown(ask(client, "gpt-nope"));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ status: 404, code: "model_not_found", param: "model" });
    const forbidden = await thrown(ask(sdk("sk-narrow"), "claude-sdk"));
    expect(forbidden).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(forbidden).toMatchObject({ status: 403, code: "model_not_allowed" });
  });

  it("throws RateLimitError for a 429, from an OpenAI or an Anthropic upstream", async () => {
    mock.setKnobs({ rateLimit: 2 });
    const limited = await thrown(ask(client));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as APIError).headers?.get("retry-after")).toBe("2");
    expect(await thrown(ask(client, "claude-sdk"))).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("throws BadRequestError for bad input and InternalServerError for a failed upstream", async () => {
    const bad = await thrown(
      client.chat.completions.create({
        model: "gpt-sdk",
        messages: [] as OpenAI.ChatCompletionMessageParam[],
      }),
    );
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad).toMatchObject({ status: 400, param: "messages" });
    const tooBig = await thrown(
      client.chat.completions.create({
        model: "gpt-sdk",
        messages: [{ role: "user", content: "x".repeat(70_000) }],
      }),
    );
    expect(tooBig).toMatchObject({ status: 413, code: "payload_too_large" });
    mock.setKnobs({ errorStatus: 500 });
    const failed = await thrown(ask(client));
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect(failed).toMatchObject({ status: 502, code: "upstream_error" });
  });
});
