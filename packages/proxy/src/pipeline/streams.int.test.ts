/**
 * How a misbehaving upstream's answer reaches the client through the relay stage: a malformed SSE
 * event is dropped, a 200 whose body is not JSON becomes a 502, a stream cut or stalled after
 * content ends with an explicit error event (never `[DONE]`) and a usage event with the partial
 * usage and the error's status, and a stream that ends without `[DONE]` is finalised at once.
 * Driven over real HTTP through the proxy's request listener against the mock provider's knobs.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { UsageEvent } from "@switchyard/core";
import { createMockProvider, type MockProvider, malformedSseEvent } from "@switchyard/mock-provider";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createRequestListener } from "../app.ts";
import { compileSnapshot } from "../config/compile.ts";
import { ConfigStore } from "../config/store.ts";
import { defaultTimeouts, gatewayConfig, testModel, testProvider } from "../testing/gateway-config.ts";
import { testProxyDeps } from "../testing/proxy-deps.ts";
import type { UsageShipper } from "../usage/shipper.ts";

const betweenChunksMs = 300;
const firstTokenMs = 200;

let mock: MockProvider;
/** A second upstream, healthy: where the `gpt-pair` alias fails over to. */
let spare: MockProvider;
/** An upstream that streams two chunks of an answer and ends cleanly, with no finish reason and no [DONE]. */
let unfinished: Server;
let server: Server;
let url: string;
const events: UsageEvent[] = [];

const usage: UsageShipper = {
  enqueue: (event) => void events.push(event),
  start: async () => {},
  flush: async () => {},
  close: async () => {},
};

beforeAll(async () => {
  mock = createMockProvider();
  spare = createMockProvider();
  const mockUrl = (await mock.listen(0)).url;
  const spareUrl = (await spare.listen(0)).url;
  unfinished = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: string) =>
        `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},"finish_reason":null}]}\n\n`;
      res.end(chunk('{"role":"assistant","content":""}') + chunk('{"content":"Half an"}'));
    });
  });
  await new Promise<void>((resolve) => unfinished.listen(0, "127.0.0.1", resolve));
  const unfinishedUrl = `http://127.0.0.1:${(unfinished.address() as AddressInfo).port}`;
  const store = new ConfigStore();
  store.swap(
    compileSnapshot(
      gatewayConfig({
        providers: [
          testProvider({ baseUrl: `${mockUrl}/v1` }),
          testProvider({ id: "prov_spare", name: "spare", baseUrl: `${spareUrl}/v1` }),
          testProvider({ id: "prov_unfinished", name: "unfinished", baseUrl: `${unfinishedUrl}/v1` }),
        ],
        models: [
          testModel({
            name: "gpt-first-token",
            deployments: [{ id: "dep_first_token", timeouts: { ...defaultTimeouts, firstTokenMs } }],
          }),
          testModel({
            name: "gpt-unfinished",
            deployments: [{ id: "dep_unfinished", providerId: "prov_unfinished" }],
          }),
          testModel({
            name: "gpt-pair",
            deployments: [
              { id: "dep_a", timeouts: { ...defaultTimeouts, betweenChunksMs } },
              { id: "dep_b", providerId: "prov_spare" },
            ],
          }),
          testModel({ deployments: [{ timeouts: { ...defaultTimeouts, betweenChunksMs } }] }),
          testModel({ name: "embed-test", kind: "embedding", deployments: [{ id: "dep_embed" }] }),
        ],
      }),
    ),
  );
  server = createServer(createRequestListener(testProxyDeps({ store, usage })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await mock.close();
  await spare.close();
  unfinished.closeAllConnections();
  await new Promise<void>((resolve) => unfinished.close(() => resolve()));
});

beforeEach(() => {
  events.length = 0;
  mock.reset();
  spare.reset();
});

/** The proxy does not forward `x-mock-*` headers: knobs are set on the mock itself. */
function chat(body: Record<string, unknown> = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-sy-test-secret" },
    body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "Hello" }], ...body }),
  });
}

const streamed = { stream: true, stream_options: { include_usage: true } };

/** The `data:` payloads of a whole SSE body, in order, and whether every event ended with a blank line. */
async function sse(res: Response): Promise<{ data: string[]; whole: boolean }> {
  const text = await res.text();
  const data = text
    .split("\n\n")
    .filter((event) => event.startsWith("data: "))
    .map((event) => event.slice("data: ".length));
  return { data, whole: text.endsWith("\n\n") };
}

type Chunk = { choices: { delta: { content?: string } }[]; usage?: { completion_tokens: number } | null };
type ErrorEvent = { error: { message: string; type: string; param: unknown; code: string } };

async function usageEvent(): Promise<UsageEvent> {
  await vi.waitFor(() => expect(events).toHaveLength(1));
  return events[0]!;
}

describe("malformed upstream answers", () => {
  it("drops a malformed SSE event: every event the client gets parses, and the stream completes", async () => {
    mock.setKnobs({ malformedAfterChunks: 2 });
    const res = await chat(streamed);
    expect(res.status).toBe(200);
    const { data, whole } = await sse(res);
    expect(whole).toBe(true);
    expect(data).not.toContain(malformedSseEvent.slice("data: ".length, -2));
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((event) => JSON.parse(event) as Chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).not.toBe("");
    expect(chunks.at(-1)!.usage!.completion_tokens).toBe(16);
    expect(await usageEvent()).toMatchObject({ status: 200, errorCode: null, completionTokens: 16 });
    // The proxy is still there for the next call.
    const next = await chat();
    expect(next.status).toBe(200);
    await next.arrayBuffer();
  });

  it("lets the official openai SDK read a stream that had a malformed event", async () => {
    mock.setKnobs({ malformedAfterChunks: 3 });
    const client = new OpenAI({ apiKey: "sk-sy-test-secret", baseURL: `${url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text.split(" ").length).toBeGreaterThan(1);
  });

  it("answers 502 upstream_error, never a 200, when a non-streamed answer is not valid JSON", async () => {
    mock.setKnobs({ malformedJson: true });
    const res = await chat();
    expect(res.status).toBe(502);
    const body = (await res.json()) as ErrorEvent;
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error.code).toBe("upstream_error");
    expect(body.error.message).toContain("not JSON");
    expect(await usageEvent()).toMatchObject({
      status: 502,
      errorCode: "upstream_error",
      promptTokens: 0,
      completionTokens: 0,
    });

    events.length = 0;
    const embedded = await fetch(`${url}/v1/embeddings`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer sk-sy-test-secret",
      },
      body: JSON.stringify({ model: "embed-test", input: "hello" }),
    });
    expect(embedded.status).toBe(502);
    expect(((await embedded.json()) as ErrorEvent).error.code).toBe("upstream_error");
    expect(await usageEvent()).toMatchObject({ status: 502, promptTokens: 0 });
  });
});

describe("streams that end badly after content reached the client", () => {
  it("ends a stream the upstream cut with an error event, never [DONE], and records the partial usage", async () => {
    mock.setKnobs({ dropAfterChunks: 5 });
    const res = await chat(streamed);
    expect(res.status).toBe(200);
    const { data, whole } = await sse(res);
    expect(whole).toBe(true);
    expect(data).not.toContain("[DONE]");
    const tokens = data.slice(0, -1).map((event) => JSON.parse(event) as Chunk);
    expect(tokens).toHaveLength(5);
    const last = JSON.parse(data.at(-1)!) as ErrorEvent;
    expect(last.error.code).toBe("upstream_error");
    const event = await usageEvent();
    expect(event).toMatchObject({ status: 502, errorCode: "upstream_error", stream: true });
    expect(event.completionTokens).toBeGreaterThan(0);
    expect(event.completionTokens).toBeLessThan(16);
    expect(event.promptTokens).toBeGreaterThan(0);
  });

  it("cuts a stream that goes silent with the connection open after the between-chunks timeout", async () => {
    mock.setKnobs({ stallAfterChunks: 4 });
    const started = performance.now();
    const res = await chat(streamed);
    expect(res.status).toBe(200);
    const { data, whole } = await sse(res);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(betweenChunksMs - 20);
    expect(whole).toBe(true);
    expect(data).not.toContain("[DONE]");
    expect(data).toHaveLength(5);
    const last = JSON.parse(data.at(-1)!) as ErrorEvent;
    expect(last.error.code).toBe("upstream_timeout");
    expect(last.error.message).toContain(`${betweenChunksMs} ms`);
    const event = await usageEvent();
    expect(event).toMatchObject({ status: 504, errorCode: "upstream_timeout" });
    expect(event.completionTokens).toBeGreaterThan(0);
    // The proxy gave up on the upstream request too.
    await vi.waitFor(() => expect(mock.stats()).toMatchObject({ inFlight: 0, streams: { aborted: 1 } }));
  });

  it("keeps a slow stream whose chunks come within the between-chunks timeout", async () => {
    mock.setKnobs({ tokensPerSecond: Math.ceil(2000 / betweenChunksMs), completionTokens: 4 });
    const res = await chat(streamed);
    const { data } = await sse(res);
    expect(data.at(-1)).toBe("[DONE]");
    expect(await usageEvent()).toMatchObject({ status: 200, errorCode: null, completionTokens: 4 });
  });
});

describe("a stream without [DONE]", () => {
  it("ends with an error event when the upstream ended it cleanly before finishing the answer", async () => {
    const res = await chat({ ...streamed, model: "gpt-unfinished" });
    expect(res.status).toBe(200);
    const { data, whole } = await sse(res);
    expect(whole).toBe(true);
    expect(data).not.toContain("[DONE]");
    expect(data).toHaveLength(3);
    expect((JSON.parse(data[1]!) as Chunk).choices[0]!.delta.content).toBe("Half an");
    const last = JSON.parse(data[2]!) as ErrorEvent;
    expect(last.error.code).toBe("upstream_error");
    expect(last.error.message).toContain("before finishing");
    const event = await usageEvent();
    expect(event).toMatchObject({ status: 502, errorCode: "upstream_error", deploymentId: "dep_unfinished" });
    expect(event.completionTokens).toBeGreaterThan(0);
  });

  it("is finalised at once when the upstream ends it cleanly after the answer, with its usage", async () => {
    mock.setKnobs({ omitDone: true });
    const res = await chat(streamed);
    const { data, whole } = await sse(res);
    expect(whole).toBe(true);
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.filter((event) => event === "[DONE]")).toHaveLength(1);
    const chunks = data.slice(0, -1).map((event) => JSON.parse(event) as Chunk);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBe(16);
    expect(await usageEvent()).toMatchObject({ status: 200, errorCode: null, completionTokens: 16 });
  });
});

describe("a stream that fails before its first content chunk", () => {
  it("sends nothing of it: the client gets the proxy's error as JSON, not a broken stream", async () => {
    // The role chunk, then the connection cut: no content reached the client.
    mock.setKnobs({ dropAfterChunks: 1 });
    const res = await chat(streamed);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(((await res.json()) as ErrorEvent).error.code).toBe("upstream_error");
    expect(await usageEvent()).toMatchObject({
      status: 502,
      errorCode: "upstream_error",
      completionTokens: 0,
    });
  });

  it("times out a slow first token by the deployment's firstTokenMs, before anything went out", async () => {
    mock.setKnobs({ ttftMs: firstTokenMs * 4 });
    const res = await chat({ ...streamed, model: "gpt-first-token" });
    expect(res.status).toBe(504);
    expect(((await res.json()) as ErrorEvent).error.message).toContain(`${firstTokenMs} ms`);
    expect(await usageEvent()).toMatchObject({ status: 504, errorCode: "upstream_timeout" });
  });

  it("fails over to the next deployment with nothing duplicated, and bills the one that answered", async () => {
    mock.setKnobs({ dropAfterChunks: 1 });
    const res = await chat({ ...streamed, model: "gpt-pair" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-deployment")).toBe("dep_b");
    const { data } = await sse(res);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((event) => JSON.parse(event) as Chunk);
    // One role chunk: the failed attempt's never reached the client.
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content === "")).toHaveLength(1);
    expect(spare.stats().streams.completed).toBe(1);
    expect(await usageEvent()).toMatchObject({ status: 200, deploymentId: "dep_b", completionTokens: 16 });
  });
});
