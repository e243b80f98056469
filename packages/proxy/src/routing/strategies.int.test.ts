/**
 * Routing strategies end to end: the real proxy in front of two mock-provider instances, one per
 * deployment. A weighted alias splits its traffic by weight, a priority alias takes its first
 * deployment, and every answer names the deployment that answered (header and usage event) and is
 * billed at that deployment's price.
 */
import { randomUUID } from "node:crypto";
import { costMicros, type GatewayConfig } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "../index.ts";
import { silentLogger } from "../logger.ts";
import { createFakeControlPlane } from "../testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "../testing/gateway-config.ts";

const token = "strategies-int-data-plane-token";
const secret = "sk-strategies";
const messages = [{ role: "user", content: "Which deployment answers this?" }];
const poll = { timeout: 10_000, interval: 20 };

const ids = {
  key: randomUUID(),
  providerA: randomUUID(),
  providerB: randomUUID(),
  depA: randomUUID(),
  depB: randomUUID(),
  depOff: randomUUID(),
};
/** The alias's price, billed by a deployment that has none of its own (B). */
const aliasPrice = { inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 2_000_000 };
const priceA = { inputMicrosPerMTok: 5_000_000, outputMicrosPerMTok: 15_000_000 };

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
        name: "split",
        strategy: "weighted",
        pricing: aliasPrice,
        deployments: [
          { id: ids.depA, providerId: ids.providerA, weight: 3, pricing: priceA },
          { id: ids.depB, providerId: ids.providerB, weight: 1 },
          // On A too, but weight 0: never drawn, so A's count is dep A's alone.
          { id: ids.depOff, providerId: ids.providerA, weight: 0 },
        ],
      }),
      testModel({
        name: "ordered",
        pricing: aliasPrice,
        deployments: [
          { id: ids.depB, providerId: ids.providerB, weight: 1 },
          { id: ids.depA, providerId: ids.providerA, weight: 100, pricing: priceA },
        ],
      }),
    ],
  });
}

type Answer = {
  deployment: string;
  requestId: string;
  usage: { prompt_tokens: number; completion_tokens: number };
};

async function chat(model: string): Promise<Answer> {
  const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    body: JSON.stringify({ model, messages }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { usage: Answer["usage"] };
  return {
    deployment: res.headers.get("x-switchyard-deployment")!,
    requestId: res.headers.get("x-request-id")!,
    usage: body.usage,
  };
}

/** `count` calls of `model`, `concurrency` at a time. */
async function calls(model: string, count: number, concurrency = 8): Promise<Answer[]> {
  const answers: Answer[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started++;
        answers.push(await chat(model));
      }
    }),
  );
  return answers;
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

describe("routing strategies through the proxy", () => {
  it("a weighted alias splits traffic by weight, each answer naming and billing the deployment that answered", async () => {
    const total = 400;
    const answers = await calls("split", total);

    const byDeployment = new Map<string, number>();
    for (const a of answers) byDeployment.set(a.deployment, (byDeployment.get(a.deployment) ?? 0) + 1);
    expect([...byDeployment.keys()].sort()).toEqual([ids.depA, ids.depB].sort());
    // 3:1 expects 300 on A; 45 is over 5 standard deviations (sqrt(400 * 0.75 * 0.25) ≈ 8.7).
    expect(Math.abs(byDeployment.get(ids.depA)! - 300)).toBeLessThan(45);
    // The header tells the truth: each upstream got exactly the requests named for it.
    expect(mockA.stats().byEndpoint["chat.completions"]).toBe(byDeployment.get(ids.depA));
    expect(mockB.stats().byEndpoint["chat.completions"]).toBe(byDeployment.get(ids.depB));

    await expect
      .poll(() => answers.every((a) => cp.usageEvents.has(a.requestId)), {
        ...poll,
        message: "every usage event",
      })
      .toBe(true);
    for (const answer of answers) {
      const event = cp.usageEvents.get(answer.requestId)!;
      const onA = answer.deployment === ids.depA;
      expect(event).toMatchObject({
        model: "split",
        deploymentId: answer.deployment,
        providerId: onA ? ids.providerA : ids.providerB,
        promptTokens: answer.usage.prompt_tokens,
        completionTokens: answer.usage.completion_tokens,
        costMicros: costMicros(
          answer.usage.prompt_tokens,
          answer.usage.completion_tokens,
          onA ? priceA : aliasPrice,
        ),
        status: 200,
      });
      expect(event.costMicros).toBeGreaterThan(0);
    }
  });

  it("a priority alias takes its first deployment, whatever the weights", async () => {
    const answers = await calls("ordered", 40);
    expect(new Set(answers.map((a) => a.deployment))).toEqual(new Set([ids.depB]));
    expect(mockA.stats().total).toBe(0);
    expect(mockB.stats().byEndpoint["chat.completions"]).toBe(40);
    await expect
      .poll(() => answers.every((a) => cp.usageEvents.has(a.requestId)), {
        ...poll,
        message: "every usage event",
      })
      .toBe(true);
    const first = answers[0]!;
    expect(cp.usageEvents.get(first.requestId)).toMatchObject({
      deploymentId: ids.depB,
      costMicros: costMicros(first.usage.prompt_tokens, first.usage.completion_tokens, aliasPrice),
    });
  });
});
