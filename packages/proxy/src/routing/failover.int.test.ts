/**
 * Failover end to end: the real proxy in front of two mock-provider instances, A (the first
 * candidate of a priority alias) and B. Each misbehaviour of A is a mock knob; what the client
 * gets, which deployment the headers and the usage event name, how many upstream requests each
 * instance saw, and that nothing waits past the request's deadline are asserted.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { costMicros, type GatewayConfig } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "../index.ts";
import { silentLogger } from "../logger.ts";
import { createFakeControlPlane } from "../testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "../testing/gateway-config.ts";

const token = "failover-int-data-plane-token";
const secret = "sk-failover";
const messages = [{ role: "user", content: "Who answers when the first one cannot?" }];
const poll = { timeout: 10_000, interval: 20 };

const ids = {
  key: randomUUID(),
  providerA: randomUUID(),
  providerB: randomUUID(),
  depA: randomUUID(),
  depB: randomUUID(),
  depSolo: randomUUID(),
  depSmall: randomUUID(),
  depLarge: randomUUID(),
  depSlowA: randomUUID(),
  depSlowB: randomUUID(),
  depHalfA: randomUUID(),
  depHalfB: randomUUID(),
};
const priceA = { inputMicrosPerMTok: 5_000_000, outputMicrosPerMTok: 15_000_000 };
const priceB = { inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 2_000_000 };
/** A first-byte timeout close to the total: a second attempt has only the rest of the deadline. */
const slowTimeouts = { connectMs: 500, firstByteMs: 1500, totalMs: 2000 };
/** Short enough for a test, long enough for a healthy mock: the request's deadline is A's total. */
const timeouts = { connectMs: 500, firstByteMs: 300, totalMs: 3000 };

let mockA: MockProvider;
let mockB: MockProvider;
let cp: ReturnType<typeof createFakeControlPlane>;
let proxy: ProxyServer;
let proxyUrl: string;

function config(urlA: string, urlB: string): GatewayConfig {
  return gatewayConfig({
    keys: [testKey({ id: ids.key, secrets: [{ secret }] })],
    providers: [
      testProvider({ id: ids.providerA, name: "a", baseUrl: `${urlA}/v1` }),
      testProvider({ id: ids.providerB, name: "b", baseUrl: `${urlB}/v1` }),
    ],
    models: [
      testModel({
        name: "pair",
        deployments: [
          { id: ids.depA, providerId: ids.providerA, pricing: priceA, timeouts },
          { id: ids.depB, providerId: ids.providerB, pricing: priceB, timeouts },
        ],
      }),
      testModel({
        name: "solo",
        deployments: [{ id: ids.depSolo, providerId: ids.providerA, pricing: priceA, timeouts }],
      }),
      testModel({
        name: "slow",
        deployments: [
          { id: ids.depSlowA, providerId: ids.providerA, timeouts: slowTimeouts },
          { id: ids.depSlowB, providerId: ids.providerB, timeouts: slowTimeouts },
        ],
      }),
      testModel({
        name: "halves",
        strategy: "weighted",
        deployments: [
          { id: ids.depHalfA, providerId: ids.providerA, weight: 1, timeouts },
          { id: ids.depHalfB, providerId: ids.providerB, weight: 1, timeouts },
        ],
      }),
      testModel({
        name: "windows",
        deployments: [
          { id: ids.depSmall, providerId: ids.providerA, contextWindow: 100, timeouts },
          { id: ids.depLarge, providerId: ids.providerB, contextWindow: 128_000, timeouts },
        ],
      }),
    ],
  });
}

type Answer = {
  status: number;
  deployment: string | null;
  attempts: string | null;
  retryAfter: string | null;
  requestId: string;
  elapsedMs: number;
  body: {
    usage?: { prompt_tokens: number; completion_tokens: number };
    error?: { code: string | null; message: string };
  };
};

async function chat(model: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    body: JSON.stringify({ model, messages, ...extra }),
  });
  const body = (await res.json()) as Answer["body"];
  return {
    status: res.status,
    deployment: res.headers.get("x-switchyard-deployment"),
    attempts: res.headers.get("x-switchyard-attempts"),
    retryAfter: res.headers.get("retry-after"),
    requestId: res.headers.get("x-request-id")!,
    elapsedMs: performance.now() - started,
    body,
  };
}

const chatCalls = (mock: MockProvider) => mock.stats().byEndpoint["chat.completions"] ?? 0;

async function usageEventOf(answer: Answer) {
  await expect
    .poll(() => cp.usageEvents.has(answer.requestId), { ...poll, message: "the usage event" })
    .toBe(true);
  return cp.usageEvents.get(answer.requestId)!;
}

beforeAll(async () => {
  mockA = createMockProvider();
  mockB = createMockProvider();
  const [{ url: urlA }, { url: urlB }] = await Promise.all([mockA.listen(), mockB.listen()]);
  cp = createFakeControlPlane({ token, holdMs: 1000 });
  const cpUrl = await cp.listen();
  cp.publish(config(urlA, urlB));
  proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath: null,
    usageSpoolDir: null,
    logger: silentLogger,
    pollBackoff: { initialMs: 20, maxMs: 100 },
    usageShipping: { flushIntervalMs: 20, backoff: { initialMs: 20, maxMs: 200 }, requestTimeoutMs: 2000 },
  });
  ({ url: proxyUrl } = await proxy.listen(0));
  await vi.waitFor(() => expect(proxy.configStore.version).toBe(1), poll);
});

afterAll(async () => {
  await proxy?.close();
  await cp?.close();
  await Promise.all([mockA?.close(), mockB?.close()]);
});

beforeEach(() => {
  mockA.reset();
  mockB.reset();
});

describe("failover through the proxy", () => {
  it("retries a 5xx once on the same deployment, which then answers", async () => {
    mockA.setKnobs({ failFirst: 1 });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 200, deployment: ids.depA, attempts: "2" });
    expect(chatCalls(mockA)).toBe(2);
    expect(chatCalls(mockB)).toBe(0);
  });

  it("fails over to the next deployment after a persistent 5xx, billing the one that answered", async () => {
    mockA.setKnobs({ errorStatus: 503 });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 200, deployment: ids.depB, attempts: "3" });
    expect(chatCalls(mockA)).toBe(2);
    expect(chatCalls(mockB)).toBe(1);
    const { prompt_tokens, completion_tokens } = answer.body.usage!;
    const event = await usageEventOf(answer);
    expect(event).toMatchObject({
      model: "pair",
      deploymentId: ids.depB,
      providerId: ids.providerB,
      promptTokens: prompt_tokens,
      completionTokens: completion_tokens,
      status: 200,
      errorCode: null,
    });
    // At B's price: the failed attempts on A are not billed.
    expect(event.costMicros).toBe(costMicros(prompt_tokens, completion_tokens, priceB));
    expect(event.costMicros).not.toBe(costMicros(prompt_tokens, completion_tokens, priceA));
  });

  it("answers the last error, naming the deployment, when every candidate fails, within the attempt budget", async () => {
    mockA.setKnobs({ errorStatus: 500 });
    mockB.setKnobs({ errorStatus: 500 });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 502, deployment: ids.depB, attempts: "3" });
    expect(answer.body.error?.code).toBe("upstream_error");
    expect(chatCalls(mockA) + chatCalls(mockB)).toBe(3);
    const event = await usageEventOf(answer);
    expect(event).toMatchObject({ deploymentId: ids.depB, status: 502, costMicros: 0, completionTokens: 0 });
  });

  it("fails over a connection reset before any byte", async () => {
    mockA.setKnobs({ resetBeforeHeaders: true });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 200, deployment: ids.depB, attempts: "2" });
    expect(chatCalls(mockA)).toBe(1);
  });

  it("fails over a deployment that does not answer at its first-byte timeout, and never retries it", async () => {
    mockA.setKnobs({ hang: true });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 200, deployment: ids.depB, attempts: "2" });
    expect(chatCalls(mockA)).toBe(1);
  });

  it("never hangs past the deadline when nothing answers", async () => {
    mockA.setKnobs({ hang: true });
    mockB.setKnobs({ hang: true });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 504, deployment: ids.depB, attempts: "2" });
    expect(answer.body.error?.code).toBe("upstream_timeout");
  });

  it("cuts the last attempt at the request's deadline, whatever its own timeouts", async () => {
    mockA.setKnobs({ hang: true });
    mockB.setKnobs({ hang: true });
    const answer = await chat("slow");
    // A's first-byte timeout (1.5 s) leaves B 0.5 s of the 2 s deadline, not its own 1.5 s.
    expect(answer).toMatchObject({ status: 504, deployment: ids.depSlowB, attempts: "2" });
    expect(answer.body.error?.message).toMatch(/the request had left/);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(slowTimeouts.totalMs - 50);
  });

  it("fails a weighted alias over to the deployment it did not draw", async () => {
    mockA.setKnobs({ errorStatus: 500 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => chat("halves")));
    expect(answers.every((a) => a.status === 200 && a.deployment === ids.depHalfB)).toBe(true);
    // Some were drawn on A (tried twice each), the rest went to B at once.
    const drawnOnA = answers.filter((a) => a.attempts === "3").length;
    expect(drawnOnA).toBeGreaterThan(0);
    expect(chatCalls(mockA)).toBe(drawnOnA * 2);
    expect(chatCalls(mockB)).toBe(20);
  });

  it("stops waiting out a Retry-After when the client goes away", async () => {
    mockA.setKnobs({ rateLimit: 2 });
    const controller = new AbortController();
    const pending = fetch(`${proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ model: "solo", messages }),
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(chatCalls(mockA)).toBe(1), poll);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(chatCalls(mockA)).toBe(1);
  });

  it("waits a 429's Retry-After when it fits in the deadline", async () => {
    mockA.setKnobs({ rateLimit: 1 });
    // The knob stays on: A refuses again after the wait, then B answers.
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 200, deployment: ids.depB, attempts: "3" });
    expect(chatCalls(mockA)).toBe(2);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(1000);
  });

  it("fails over a 429 whose Retry-After does not fit in the deadline", async () => {
    mockA.setKnobs({ rateLimit: 60 });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 200, deployment: ids.depB, attempts: "2" });
  });

  it("fails over a 429 without Retry-After, and backs off briefly on a lone deployment", async () => {
    mockA.setKnobs({ rateLimit: 30, rateLimitNoRetryAfter: true });
    const pair = await chat("pair");
    expect(pair).toMatchObject({ status: 200, deployment: ids.depB, attempts: "2" });
    mockA.reset();
    mockA.setKnobs({ rateLimit: 30, rateLimitNoRetryAfter: true });
    const solo = await chat("solo");
    expect(solo).toMatchObject({ status: 429, deployment: ids.depSolo, attempts: "2" });
    expect(chatCalls(mockA)).toBe(2);
  });

  it("sends a prompt too long for a deployment's context window to one with a larger window", async () => {
    // The proxy counts the prompt as fitting A's 100 tokens; A's model disagrees.
    mockA.setKnobs({ contextWindow: 5 });
    const answer = await chat("windows");
    expect(answer).toMatchObject({ status: 200, deployment: ids.depLarge, attempts: "2" });
    expect(chatCalls(mockA)).toBe(1);
    expect(chatCalls(mockB)).toBe(1);
  });

  it("chooses a deployment the prompt fits up front, when its count is over a context window", async () => {
    mockA.setKnobs({ contextWindow: 100 });
    const long = [{ role: "user", content: "word ".repeat(400) }];
    const answer = await chat("windows", { messages: long });
    expect(answer).toMatchObject({ status: 200, deployment: ids.depLarge, attempts: "1" });
    expect(chatCalls(mockA)).toBe(0);
  });

  it("returns the provider's context-length error as is when no candidate has a larger window", async () => {
    mockA.setKnobs({ contextWindow: 8 });
    const long = [{ role: "user", content: "word ".repeat(200) }];
    const answer = await chat("solo", { messages: long });
    expect(answer).toMatchObject({ status: 400, deployment: ids.depSolo, attempts: "1" });
    expect(answer.body.error?.code).toBe("context_length_exceeded");
    expect(answer.body.error?.message).toMatch(/maximum context length is 8 tokens/);
  });

  it("passes a content-policy refusal on with the provider's reason, and tries no one else", async () => {
    mockA.setKnobs({ contentPolicy: true });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 400, deployment: ids.depA, attempts: "1" });
    expect(answer.body.error?.code).toBe("content_policy_violation");
    expect(answer.body.error?.message).toMatch(/safety system/);
    expect(chatCalls(mockB)).toBe(0);
  });

  it("returns any other 4xx unchanged from the first deployment", async () => {
    mockA.setKnobs({ errorStatus: 404 });
    const answer = await chat("pair");
    expect(answer).toMatchObject({ status: 404, deployment: ids.depA, attempts: "1" });
    expect(answer.body.error?.message).toMatch(/Mock error 404/);
    expect(chatCalls(mockB)).toBe(0);
  });

  it("fails over a stream whose upstream fails before any byte reached the client", async () => {
    mockA.setKnobs({ errorStatus: 500 });
    const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ model: "pair", messages, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-deployment")).toBe(ids.depB);
    const text = await res.text();
    expect(text).toContain("data: [DONE]");
    expect(text).not.toContain("error");
  });
});
