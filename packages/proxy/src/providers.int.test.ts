/**
 * The provider layer end to end: sealed credentials opened and sent upstream, the fallback
 * credential after a 401 (with its alert), embeddings, and Anthropic behind the chat completions
 * API, all through the real proxy against the real mock provider (which checks its API key).
 */
import type { GatewayConfig, SnapshotCredential } from "@switchyard/core";
import { sealSecret, snapshotSealingKey } from "@switchyard/core/crypto/seal";
import { createMockProvider, type MockProvider, mockReplyText } from "@switchyard/mock-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "./index.ts";
import { silentLogger } from "./logger.ts";
import { createFakeControlPlane } from "./testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "./testing/gateway-config.ts";

const token = "providers-int-data-plane-token";
const upstreamKey = "sk-up";
const messages = [{ role: "user", content: "Say hello" }];

type ToolCall = {
  index?: number;
  id?: string;
  type?: string;
  function: { name?: string; arguments: string };
};
type ChatChunk = {
  object: string;
  choices: {
    index: number;
    delta: { role?: string; content?: string | null; tool_calls?: ToolCall[] };
    finish_reason: string | null;
  }[];
  usage?: unknown;
};
type Completion = {
  object: string;
  model: string;
  choices: {
    index: number;
    message: { role: string; content: string | null; tool_calls?: (ToolCall & { id: string })[] };
    finish_reason: string;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};

let mock: MockProvider;
let controlPlane: ReturnType<typeof createFakeControlPlane>;
let proxy: ProxyServer;
let proxyUrl: string;

function credential(id: string, role: "primary" | "fallback", secret: string, sealingToken = token) {
  return {
    id,
    role,
    sealed: sealSecret(secret, snapshotSealingKey(sealingToken), id),
  } satisfies SnapshotCredential;
}

function buildConfig(mockUrl: string): GatewayConfig {
  const provider = (id: string, kind: "openai" | "anthropic", credentials: SnapshotCredential[]) =>
    testProvider({
      id,
      name: id.replace("prov_", ""),
      kind,
      baseUrl: kind === "openai" ? `${mockUrl}/v1` : mockUrl,
      credentials,
    });
  const model = (
    name: string,
    providerId: string,
    kind: "chat" | "embedding" = "chat",
    upstreamModel = "mock-gpt",
  ) => testModel({ name, kind, deployments: [{ id: `dep_${name}`, providerId, upstreamModel }] });
  return gatewayConfig({
    keys: [
      testKey({ id: "k_all", secrets: [{ secret: "sk-all" }] }),
      testKey({ id: "k_embed", secrets: [{ secret: "sk-embed" }], allowedModels: ["embed"] }),
    ],
    providers: [
      provider("prov_ok", "openai", [credential("cred_ok", "primary", upstreamKey)]),
      provider("prov_rotating", "openai", [
        credential("cred_new", "primary", "sk-new-not-yet-valid"),
        credential("cred_old", "fallback", upstreamKey),
      ]),
      provider("prov_broken", "openai", [
        credential("cred_bad1", "primary", "sk-bad-1"),
        credential("cred_bad2", "fallback", "sk-bad-2"),
      ]),
      provider("prov_foreign", "openai", [
        credential("cred_foreign", "primary", upstreamKey, "another-deployments-token"),
      ]),
      provider("prov_claude", "anthropic", [credential("cred_claude", "primary", upstreamKey)]),
    ],
    models: [
      model("gpt", "prov_ok"),
      model("gpt-rotating", "prov_rotating"),
      model("gpt-broken", "prov_broken"),
      model("gpt-foreign", "prov_foreign"),
      model("embed", "prov_ok", "embedding", "mock-embed"),
      model("embed-rotating", "prov_rotating", "embedding", "mock-embed"),
      model("claude", "prov_claude", "chat", "mock-claude"),
      model("claude-embed", "prov_claude", "embedding", "mock-claude"),
    ],
  });
}

function post(path: string, body: unknown, key = "sk-all") {
  return fetch(`${proxyUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const chat = (body: Record<string, unknown>, key?: string) => post("/v1/chat/completions", body, key);

async function errorOf(res: Response) {
  const body = (await res.json()) as {
    error: { code: string; type: string; message: string; param: unknown };
  };
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  return { status: res.status, ...body.error };
}

/** The parsed `data:` events of an OpenAI SSE body; the last must be [DONE]. */
async function chunksOf(res: Response): Promise<ChatChunk[]> {
  const events = (await res.text())
    .split("\n\n")
    .filter((e) => e.length > 0)
    .map((e) => {
      expect(e.startsWith("data: ")).toBe(true);
      return e.slice(6);
    });
  expect(events.at(-1)).toBe("[DONE]");
  return events.slice(0, -1).map((e) => JSON.parse(e) as ChatChunk);
}

async function metricsText(): Promise<string> {
  return (await fetch(`${proxyUrl}/metrics`)).text();
}

beforeAll(async () => {
  mock = createMockProvider({ apiKey: upstreamKey, knobs: { recordRequests: 10 } });
  const { url: mockUrl } = await mock.listen();
  controlPlane = createFakeControlPlane({ token, holdMs: 1000 });
  const cpUrl = await controlPlane.listen();
  controlPlane.publish(buildConfig(mockUrl));
  proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath: null,
    logger: silentLogger,
    pollBackoff: { initialMs: 50, maxMs: 200 },
    usageSpoolDir: null,
  });
  ({ url: proxyUrl } = await proxy.listen(0));
  await vi.waitFor(() => expect(proxy.configStore.version).toBe(1), { timeout: 5000 });
});

afterAll(async () => {
  await proxy?.close();
  await controlPlane?.close();
  await mock?.close();
});

beforeEach(() => mock.reset());

describe("provider credentials", () => {
  it("opens the sealed credential and sends it upstream as a Bearer token", async () => {
    const res = await chat({ model: "gpt", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    expect(mock.requests()[0]?.headers.authorization).toBe(`Bearer ${upstreamKey}`);
  });

  it("retries once with the fallback credential when the primary gets a 401, and raises one alert", async () => {
    const res = await chat({ model: "gpt-rotating", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect(((await res.json()) as { object: string }).object).toBe("chat.completion");
    expect(mock.requests().map((r) => r.headers.authorization)).toEqual([
      "Bearer sk-new-not-yet-valid",
      `Bearer ${upstreamKey}`,
    ]);
    // The same body was replayed.
    expect(mock.requests()[1]?.body).toEqual(mock.requests()[0]?.body);

    // Alerts about this provider only: other cases fall back on providers of their own.
    const rotatingAlerts = () =>
      controlPlane.alerts.filter((a) => (a as { providerId?: string }).providerId === "prov_rotating");
    await vi.waitFor(() => expect(rotatingAlerts()).toHaveLength(1), { timeout: 3000 });
    expect(rotatingAlerts()[0]).toEqual({
      kind: "credential_fallback",
      providerId: "prov_rotating",
      credentialId: "cred_new",
      message: expect.stringMatching(/rejected its primary credential cred_new.*cred_old/),
    });

    // A stream falls back the same way, before any byte went out; the alert is not repeated.
    const streamed = await chat({ model: "gpt-rotating", messages, stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get("x-switchyard-attempts")).toBe("2");
    expect((await chunksOf(streamed)).length).toBeGreaterThan(2);
    const embedded = await post("/v1/embeddings", { model: "embed-rotating", input: "hi" });
    expect(embedded.status).toBe(200);
    expect(embedded.headers.get("x-switchyard-attempts")).toBe("2");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rotatingAlerts()).toHaveLength(1);
    expect(await metricsText()).toMatch(
      /switchyard_proxy_credential_fallbacks_total\{provider="rotating"\} 3/,
    );
  });

  it("answers 502 when the fallback credential is refused too", async () => {
    const res = await chat({ model: "gpt-broken", messages });
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    const error = await errorOf(res);
    expect(error).toMatchObject({ status: 502, code: "upstream_error" });
    expect(error.message).toMatch(/rejected the gateway's credentials \(HTTP 401\)/);
  });

  it("answers 502 saying the credential could not be decrypted when the token does not open it", async () => {
    const error = await errorOf(await chat({ model: "gpt-foreign", messages }));
    expect(error).toMatchObject({ status: 502, code: "upstream_error", type: "api_error" });
    expect(error.message).toMatch(
      /credential of the upstream provider 'foreign' \(cred_foreign\) could not be decrypted/,
    );
    expect(error.message).toMatch(/DATA_PLANE_TOKEN/);
    expect(mock.stats().total).toBe(0);
    // The other providers of the snapshot still serve.
    expect((await chat({ model: "gpt", messages })).status).toBe(200);
  });
});

describe("embeddings", () => {
  it("forwards to the deployment's upstream model and passes the answer through", async () => {
    const res = await post("/v1/embeddings", { model: "embed", input: ["a", "b"], dimensions: 4 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe("embed");
    expect(res.headers.get("x-switchyard-deployment")).toBe("dep_embed");
    const body = (await res.json()) as { object: string; data: { embedding: number[] }[]; model: string };
    expect(body.object).toBe("list");
    expect(body.data).toHaveLength(2);
    expect(body.data[0]!.embedding).toHaveLength(4);
    expect(body.model).toBe("mock-embed");
    const [upstream] = mock.requests();
    expect(upstream?.url).toBe("/v1/embeddings");
    expect(upstream?.body).toEqual({ model: "mock-embed", input: ["a", "b"], dimensions: 4 });
    expect(upstream?.headers.authorization).toBe(`Bearer ${upstreamKey}`);
  });

  it("checks keys, models and input like the chat route", async () => {
    expect(
      await errorOf(await post("/v1/embeddings", { model: "embed", input: "x" }, "sk-nope")),
    ).toMatchObject({
      status: 401,
      code: "invalid_api_key",
    });
    expect(await errorOf(await post("/v1/embeddings", { model: "nope", input: "x" }))).toMatchObject({
      status: 404,
      code: "model_not_found",
    });
    expect(
      await errorOf(await post("/v1/embeddings", { model: "gpt", input: "x" }, "sk-embed")),
    ).toMatchObject({
      status: 403,
      code: "model_not_allowed",
    });
    expect(await errorOf(await post("/v1/embeddings", { model: "gpt", input: "x" }))).toMatchObject({
      status: 400,
      param: "model",
    });
    expect(await errorOf(await post("/v1/embeddings", { model: "embed", input: 5 }))).toMatchObject({
      status: 400,
      param: "input",
    });
    expect(await errorOf(await post("/v1/embeddings", "{nope"))).toMatchObject({ status: 400 });
    expect(await errorOf(await chat({ model: "embed", messages }))).toMatchObject({ status: 400 });
    expect(await errorOf(await post("/v1/embeddings", { model: "claude-embed", input: "x" }))).toMatchObject({
      status: 502,
      code: "upstream_error",
      message: expect.stringMatching(/no embeddings API/),
    });
    expect(mock.stats().total).toBe(0);
  });

  it("passes the provider's own 400 through and turns its 5xx into a 502", async () => {
    const bad = await post("/v1/embeddings", { model: "embed", input: "x", dimensions: 0 });
    expect(await errorOf(bad)).toMatchObject({ status: 400, param: "dimensions" });
    mock.setKnobs({ errorStatus: 503 });
    expect(await errorOf(await post("/v1/embeddings", { model: "embed", input: "x" }))).toMatchObject({
      status: 502,
      code: "upstream_error",
    });
  });

  it("is listed by GET /v1/models with the chat models", async () => {
    const list = async (key: string) =>
      (
        (await (
          await fetch(`${proxyUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } })
        ).json()) as {
          data: { id: string }[];
        }
      ).data.map((m) => m.id);
    expect(await list("sk-all")).toEqual(expect.arrayContaining(["gpt", "embed", "claude"]));
    expect(await list("sk-embed")).toEqual(["embed"]);
  });
});

describe("Anthropic provider", () => {
  it("translates a chat completion to the Messages API and the answer back", async () => {
    const res = await chat({
      model: "claude",
      messages: [{ role: "system", content: "Be terse." }, ...messages],
      max_tokens: 50,
      temperature: 0.2,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Completion;
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "mock-claude",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: mockReplyText("Say hello", 16) },
          finish_reason: "stop",
        },
      ],
      usage: { completion_tokens: 16 },
    });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 16);

    const [upstream] = mock.requests();
    expect(upstream?.url).toBe("/v1/messages");
    expect(upstream?.headers["x-api-key"]).toBe(upstreamKey);
    expect(upstream?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(upstream?.headers.authorization).toBeUndefined();
    expect(upstream?.body).toEqual({
      model: "mock-claude",
      max_tokens: 50,
      system: "Be terse.",
      messages: [{ role: "user", content: [{ type: "text", text: "Say hello" }] }],
      temperature: 0.2,
    });
  });

  it("streams OpenAI chunks translated from Anthropic's events, usage included", async () => {
    mock.setKnobs({ tokensPerSecond: 50, completionTokens: 6 });
    const res = await chat({
      model: "claude",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const chunks = await chunksOf(res);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toMatchObject({ role: "assistant" });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(mockReplyText("Say hello", 6));
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });
    expect(mock.stats().streams.completed).toBe(1);
  });

  it("turns tool calls into OpenAI tool_calls, JSON and streamed", async () => {
    const tools = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
    ];
    const res = await chat({ model: "claude", messages, tools, tool_choice: "required" });
    const body = (await res.json()) as Completion;
    expect(body.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        content: null,
        tool_calls: [{ type: "function", function: { name: "get_weather", arguments: "{}" } }],
      },
    });
    expect(mock.requests()[0]?.body).toMatchObject({
      tools: [{ name: "get_weather", input_schema: { type: "object", properties: {} } }],
      tool_choice: { type: "any" },
    });

    const streamed = await chunksOf(
      await chat({ model: "claude", messages, tools, tool_choice: "required", stream: true }),
    );
    const calls = streamed.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({
      index: 0,
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    expect(calls.map((c: { function: { arguments: string } }) => c.function.arguments).join("")).toBe("{}");
    expect(streamed.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("tool_calls");

    // The tool's result goes back as a tool_result block.
    const assistant = body.choices[0]!.message;
    const callId = assistant.tool_calls![0]!.id;
    const followUp = await chat({
      model: "claude",
      messages: [...messages, assistant, { role: "tool", tool_call_id: callId, content: "sunny" }],
      tools,
    });
    expect(followUp.status).toBe(200);
    const lastBody = mock.requests().at(-1)?.body as { messages: unknown[] } | undefined;
    expect(lastBody?.messages.at(-1)).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: callId, content: "sunny" }],
    });
  });

  it("answers Anthropic's errors in OpenAI's shape", async () => {
    // A Retry-After longer than the request's deadline is not waited out: the 429 is passed on.
    mock.setKnobs({ rateLimit: 60 });
    const limited = await chat({ model: "claude", messages });
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await errorOf(limited)).toMatchObject({ status: 429, type: "rate_limit_error" });

    mock.setKnobs({ rateLimit: 0, errorStatus: 529 });
    const overloaded = await errorOf(await chat({ model: "claude", messages }));
    expect(overloaded).toMatchObject({ status: 502, code: "upstream_error" });
    expect(overloaded.message).toMatch(/HTTP 529/);

    mock.setKnobs({ errorStatus: 400 });
    expect(await errorOf(await chat({ model: "claude", messages }))).toMatchObject({
      status: 400,
      type: "invalid_request_error",
      message: expect.stringMatching(/Mock error 400/),
    });

    mock.setKnobs({ errorStatus: 0 });
    // What the Messages API cannot express is refused before anything is sent.
    expect(await errorOf(await chat({ model: "claude", messages, n: 3 }))).toMatchObject({
      status: 400,
      param: "n",
    });
    // 429 once, 529 twice (retried once), 400 once: the refused `n` never reached it.
    expect(mock.stats().byEndpoint.messages).toBe(4);
  });

  it("ends a stream the upstream cuts with an error event", async () => {
    mock.setKnobs({ dropAfterChunks: 5 });
    const res = await chat({ model: "claude", messages, stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("[DONE]");
    const last = text
      .split("\n\n")
      .filter((e) => e.length > 0)
      .at(-1)!;
    expect(JSON.parse(last.slice(6))).toMatchObject({ error: { code: "upstream_error" } });
  });
});
