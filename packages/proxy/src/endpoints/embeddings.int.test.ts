/** POST /v1/embeddings with everything the proxy enforces: rate limits and usage events. */
import { randomUUID } from "node:crypto";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "../index.ts";
import { silentLogger } from "../logger.ts";
import { createFakeControlPlane } from "../testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "../testing/gateway-config.ts";

const token = "embeddings-int-data-plane-token";
// Usage events name keys, providers and deployments by their UUIDs.
const keyId = randomUUID();
const providerId = randomUUID();
const deploymentId = randomUUID();

let mock: MockProvider;
let controlPlane: ReturnType<typeof createFakeControlPlane>;
let proxy: ProxyServer;
let proxyUrl: string;

function embed(input: unknown) {
  return fetch(`${proxyUrl}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-rpm1" },
    body: JSON.stringify({ model: "embed", input }),
  });
}

beforeAll(async () => {
  mock = createMockProvider();
  const { url: mockUrl } = await mock.listen();
  controlPlane = createFakeControlPlane({ token, holdMs: 1000 });
  const cpUrl = await controlPlane.listen();
  controlPlane.publish(
    gatewayConfig({
      keys: [testKey({ id: keyId, secrets: [{ secret: "sk-rpm1" }], rpm: 1 })],
      providers: [testProvider({ id: providerId, baseUrl: `${mockUrl}/v1` })],
      models: [
        testModel({
          name: "embed",
          kind: "embedding",
          pricing: { inputMicrosPerMTok: 20_000_000, outputMicrosPerMTok: 0 },
          deployments: [{ id: deploymentId, providerId, upstreamModel: "mock-embed" }],
        }),
      ],
    }),
  );
  proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath: null,
    logger: silentLogger,
    pollBackoff: { initialMs: 50, maxMs: 200 },
    usageSpoolDir: null,
    usageShipping: { flushIntervalMs: 20 },
  });
  ({ url: proxyUrl } = await proxy.listen(0));
  await vi.waitFor(() => expect(proxy.configStore.version).toBe(1), { timeout: 5000 });
});

afterAll(async () => {
  await proxy?.close();
  await controlPlane?.close();
  await mock?.close();
});

describe("embeddings", () => {
  it("are rate limited like chat, and each yields a usage event with the provider's prompt tokens", async () => {
    const input = "count the tokens of this sentence, please";
    const first = await embed(input);
    expect(first.status).toBe(200);
    const requestId = first.headers.get("x-request-id")!;
    const answer = (await first.json()) as { usage: { prompt_tokens: number } };
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);

    const limited = await embed(input);
    const body = (await limited.json()) as { error: { code: string } };
    expect(limited.status).toBe(429);
    expect(body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(mock.stats().byEndpoint.embeddings).toBe(1);

    await vi.waitFor(() => expect(controlPlane.usageEvents.has(requestId)).toBe(true), { timeout: 5000 });
    expect(controlPlane.usageEvents.get(requestId)).toMatchObject({
      keyId,
      model: "embed",
      deploymentId,
      providerId,
      promptTokens: answer.usage.prompt_tokens,
      completionTokens: 0,
    });
    // Priced by the input tokens the provider reported.
    expect(controlPlane.usageEvents.get(requestId)?.costMicros).toBeGreaterThan(0);
  });
});
