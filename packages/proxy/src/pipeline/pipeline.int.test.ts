/**
 * The model-call pipeline's promise to the features that plug into it: every hold an enforcer took
 * is settled exactly once, with the call's real usage and status, however the call ended
 * (answered, refused by a later enforcer, failed upstream, or abandoned by the client mid-stream);
 * stream hooks see every chunk; and every call records one usage event. Driven over real HTTP
 * against the mock provider.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError, type UsageEvent } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createRequestListener } from "../app.ts";
import { compileSnapshot } from "../config/compile.ts";
import { ConfigStore } from "../config/store.ts";
import { gatewayConfig } from "../testing/gateway-config.ts";
import { testProxyDeps } from "../testing/proxy-deps.ts";
import type { UsageShipper } from "../usage/shipper.ts";
import type { CallUsage, Enforcer } from "./types.ts";

type Settled = { enforcer: string; usage: CallUsage };

let mock: MockProvider;
let server: Server;
let url: string;
const settled: Settled[] = [];
const chunksSeen: number[] = [];
const events: UsageEvent[] = [];
/** Set by a test: the second enforcer refuses every call while it is true. */
let refuseInSecond = false;

function recordingEnforcer(name: string, refuse: () => boolean): Enforcer {
  return {
    name,
    async admit() {
      // Asynchronous like a store round trip, so that ordering across an await is exercised.
      await new Promise((resolve) => setImmediate(resolve));
      if (refuse()) throw new AppError("budget_exceeded", `${name} refuses this call.`);
      let chunks = 0;
      return {
        settle(_call, usage) {
          settled.push({ enforcer: name, usage });
          chunksSeen.push(chunks);
        },
        onChunk() {
          chunks++;
        },
      };
    },
  };
}

const usage: UsageShipper = {
  enqueue: (event) => void events.push(event),
  start: async () => {},
  flush: async () => {},
  close: async () => {},
};

beforeAll(async () => {
  mock = createMockProvider();
  const mockUrl = (await mock.listen(0)).url;
  const store = new ConfigStore();
  store.swap(compileSnapshot(gatewayConfig({ baseUrl: `${mockUrl}/v1` })));
  const deps = testProxyDeps({
    store,
    usage,
    enforcers: [recordingEnforcer("first", () => false), recordingEnforcer("second", () => refuseInSecond)],
  });
  server = createServer(createRequestListener(deps));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await mock.close();
});

beforeEach(() => {
  settled.length = 0;
  chunksSeen.length = 0;
  events.length = 0;
  refuseInSecond = false;
  mock.reset();
});

function chat(
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-sy-test-secret", ...headers },
    body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "Hello" }], ...body }),
    ...(signal === undefined ? {} : { signal }),
  });
}

describe("the model-call pipeline", () => {
  it("settles every hold with the provider's usage once the answer is sent, and records one event", async () => {
    const res = await chat({ max_tokens: 5 });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    await vi.waitFor(() => expect(settled).toHaveLength(2));
    const expected = {
      promptTokens: answer.usage.prompt_tokens,
      completionTokens: answer.usage.completion_tokens,
      costMicros: 0,
      status: 200,
    };
    expect(settled).toEqual([
      { enforcer: "first", usage: expected },
      { enforcer: "second", usage: expected },
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: 200,
      promptTokens: expected.promptTokens,
      completionTokens: 5,
    });
  });

  it("settles the holds taken before a later enforcer refused, and never calls the upstream", async () => {
    refuseInSecond = true;
    const res = await chat();
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(settled).toEqual([
      { enforcer: "first", usage: { promptTokens: 0, completionTokens: 0, costMicros: 0, status: 429 } },
    ]);
    expect(mock.stats().total).toBe(0);
    expect(events[0]).toMatchObject({ status: 429, errorCode: "budget_exceeded" });
  });

  it("settles with the error's status when the upstream fails", async () => {
    mock.setKnobs({ errorStatus: 503 });
    const res = await chat();
    expect(res.status).toBe(502);
    await res.text();
    await vi.waitFor(() => expect(settled).toHaveLength(2));
    for (const { usage } of settled) expect(usage).toMatchObject({ status: 502, completionTokens: 0 });
    expect(events).toHaveLength(1);
  });

  it("passes every streamed chunk to the stream hooks and settles with what was streamed", async () => {
    const res = await chat({ stream: true, max_tokens: 6, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const text = await res.text();
    await vi.waitFor(() => expect(settled).toHaveLength(2));
    expect(text).toContain("data: [DONE]");
    expect(chunksSeen[0]).toBeGreaterThan(0);
    expect(chunksSeen[0]).toBe(chunksSeen[1]);
    expect(settled[0]!.usage).toMatchObject({ status: 200, completionTokens: 6 });
  });

  it("settles when the client leaves in the middle of a stream", async () => {
    const abort = new AbortController();
    mock.setKnobs({ tokensPerSecond: 50 });
    const res = await chat({ stream: true, max_tokens: 500 }, {}, abort.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await vi.waitFor(() => expect(settled).toHaveLength(2), { timeout: 5000 });
    for (const { usage } of settled) {
      expect(usage.status).toBe(499);
      // Billed for what was streamed before it left: some tokens, far fewer than the 500 asked for.
      expect(usage.completionTokens).toBeLessThan(500);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 499, errorCode: "client_closed" });
  });

  it("records a refused key's call without settling anything it never admitted", async () => {
    const res = await chat({}, { authorization: "Bearer sk-wrong" });
    expect(res.status).toBe(401);
    await res.text();
    expect(settled).toEqual([]);
    expect(events).toEqual([]);
  });
});
