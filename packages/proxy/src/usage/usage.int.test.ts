/**
 * Usage events end to end: the proxy in front of the real mock provider, shipping its events to the
 * fake control plane (which keeps each requestId once, as the real ingest does). Covers one event per
 * request (success, stream, abort, refusal), delivery across a control-plane outage, and a proxy
 * restarted with a non-empty spool.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { costMicros, type GatewayConfig } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProxy, type ProxyServer } from "../index.ts";
import { silentLogger } from "../logger.ts";
import { createFakeControlPlane } from "../testing/fake-control-plane.ts";
import { defaultTimeouts, testKey, testLineage } from "../testing/gateway-config.ts";

const token = "usage-test-data-plane-token";
const secret = "sk-usage-test";
const pricing = { inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 };
const ids = {
  key: randomUUID(),
  user: randomUUID(),
  team: randomUUID(),
  provider: randomUUID(),
  deployment: randomUUID(),
};
const messages = [{ role: "user", content: "Count the usage of this request" }];

let mock: MockProvider;
let cp: ReturnType<typeof createFakeControlPlane>;
let cpUrl: string;
let cpPort: number;
const proxies: ProxyServer[] = [];
const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "usage-spool-"));
  tempDirs.push(dir);
  return dir;
}

function config(mockUrl: string): GatewayConfig {
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    lineage: testLineage,
    keys: [testKey({ id: ids.key, userId: ids.user, teamId: ids.team, secrets: [{ secret }] })],
    providers: [
      { id: ids.provider, name: "mock", kind: "openai", baseUrl: `${mockUrl}/v1`, credentials: [] },
    ],
    models: [
      {
        name: "gpt-priced",
        kind: "chat",
        pricing,
        deployments: [
          {
            id: ids.deployment,
            providerId: ids.provider,
            upstreamModel: "mock-gpt",
            timeouts: defaultTimeouts,
          },
        ],
      },
    ],
  };
}

async function startProxy(spoolDir: string | null, snapshotPath: string | null = null) {
  const proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath,
    usageSpoolDir: spoolDir,
    logger: silentLogger,
    pollBackoff: { initialMs: 20, maxMs: 100 },
    usageShipping: { flushIntervalMs: 20, backoff: { initialMs: 20, maxMs: 200 }, requestTimeoutMs: 2000 },
  });
  proxies.push(proxy);
  const { url } = await proxy.listen(0);
  await until(() => proxy.configStore.version !== null);
  return { proxy, url };
}

async function until(check: () => boolean | Promise<boolean>, what = "condition", timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function chat(url: string, body: Record<string, unknown>, key: string | null = secret, signal?: AbortSignal) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ model: "gpt-priced", messages, ...body }),
    ...(signal === undefined ? {} : { signal }),
  });
}

async function spoolFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(".json"));
}

beforeAll(async () => {
  mock = createMockProvider();
  const mockUrl = (await mock.listen(0)).url;
  cp = createFakeControlPlane({ token, holdMs: 200 });
  cpUrl = await cp.listen();
  cpPort = Number(new URL(cpUrl).port);
  cp.publish(config(mockUrl));
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await cp.close();
  await mock.close();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("usage events", () => {
  it("records a JSON answer with the provider's tokens and its exact cost", async () => {
    const { url } = await startProxy(null);
    const res = await chat(url, { max_tokens: 5 });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const requestId = res.headers.get("x-request-id")!;
    await until(() => cp.usageEvents.has(requestId), "the usage event");
    const event = cp.usageEvents.get(requestId)!;
    expect(event).toMatchObject({
      keyId: ids.key,
      userId: ids.user,
      teamId: ids.team,
      model: "gpt-priced",
      deploymentId: ids.deployment,
      providerId: ids.provider,
      promptTokens: answer.usage.prompt_tokens,
      completionTokens: 5,
      costMicros: costMicros(answer.usage.prompt_tokens, 5, pricing),
      status: 200,
      errorCode: null,
      stream: false,
      ttftMs: null,
    });
    expect(event.costMicros).toBeGreaterThan(0);
    expect(event.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("takes a stream's tokens from its usage chunk", async () => {
    const { url } = await startProxy(null);
    const res = await chat(url, { stream: true, stream_options: { include_usage: true }, max_tokens: 7 });
    const text = await res.text();
    const usageLine = text.split("\n").find((l) => l.includes('"prompt_tokens"'))!;
    const usage = (JSON.parse(usageLine.slice(6)) as { usage: { prompt_tokens: number } }).usage;
    const requestId = res.headers.get("x-request-id")!;
    await until(() => cp.usageEvents.has(requestId), "the usage event");
    expect(cp.usageEvents.get(requestId)).toMatchObject({
      promptTokens: usage.prompt_tokens,
      completionTokens: 7,
      status: 200,
      stream: true,
    });
    expect(cp.usageEvents.get(requestId)!.ttftMs).not.toBeNull();
  });

  it("records what was streamed to a client that went away (499)", async () => {
    const { url } = await startProxy(null);
    // Slow enough that the client leaves long before the end.
    mock.setKnobs({ tokensPerSecond: 50 });
    const abort = new AbortController();
    const res = await chat(url, { stream: true, max_tokens: 200 }, secret, abort.signal).then((r) => r);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id")!;
    const reader = res.body!.getReader();
    let received = "";
    while ((received.match(/"content":"/g) ?? []).length < 4) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    abort.abort();
    mock.setKnobs({ tokensPerSecond: 0 });
    await until(() => cp.usageEvents.has(requestId), "the aborted request's event");
    const event = cp.usageEvents.get(requestId)!;
    expect(event).toMatchObject({ status: 499, errorCode: "client_closed", stream: true });
    expect(event.promptTokens).toBeGreaterThan(0);
    expect(event.completionTokens).toBeGreaterThan(0);
    expect(event.completionTokens).toBeLessThan(200);
  }, 20_000);

  it("records refusals once the key is known, and nothing for requests without a valid key", async () => {
    const { url } = await startProxy(null);
    const unknownModel = await chat(url, { model: "no-such-model" });
    expect(unknownModel.status).toBe(404);
    const anonymous = await chat(url, {}, null);
    expect(anonymous.status).toBe(401);
    const wrongKey = await chat(url, {}, "sk-wrong");
    expect(wrongKey.status).toBe(401);
    const refusedId = unknownModel.headers.get("x-request-id")!;
    await until(() => cp.usageEvents.has(refusedId), "the refusal's event");
    expect(cp.usageEvents.get(refusedId)).toMatchObject({
      status: 404,
      errorCode: "model_not_found",
      model: "no-such-model",
      promptTokens: 0,
      completionTokens: 0,
      costMicros: 0,
      deploymentId: null,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(cp.usageEvents.has(anonymous.headers.get("x-request-id")!)).toBe(false);
    expect(cp.usageEvents.has(wrongKey.headers.get("x-request-id")!)).toBe(false);
  });

  it("records a model name the control plane can store, whatever the client sent", async () => {
    const { url } = await startProxy(null);
    // A NUL, an unpaired surrogate, and a name cut at 200 units in the middle of an emoji.
    const sent = `bad\u0000model\udc00${"x".repeat(190)}😀tail`;
    const res = await chat(url, { model: sent });
    expect(res.status).toBe(404);
    const requestId = res.headers.get("x-request-id")!;
    // The fake control plane validates with the real UsageEvent schema: an unstorable name never arrives.
    await until(() => cp.usageEvents.has(requestId), "the event");
    expect(cp.usageEvents.get(requestId)!.model).toBe(`badmodel\ufffd${"x".repeat(190)}`);
  });
});

describe("delivery", () => {
  it("delivers every request's event exactly once across a control-plane outage", async () => {
    const spool = await tempDir();
    const { url } = await startProxy(spool);
    const requestIds: string[] = [];
    let stop = false;
    // Four clients send requests back to back while the control plane goes away and comes back.
    const traffic = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const res = await chat(url, { max_tokens: 2 });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        requestIds.push(res.headers.get("x-request-id")!);
      }
    });
    await until(() => requestIds.length >= 20, "traffic before the outage");
    await cp.close();
    const beforeOutage = requestIds.length;
    await until(() => requestIds.length >= beforeOutage + 40, "traffic during the outage");
    // While the control plane is away, undelivered batches wait in the spool.
    await until(async () => (await spoolFiles(spool)).length > 0, "spooled batches");
    await cp.listen(cpPort);
    const afterRestart = requestIds.length;
    await until(() => requestIds.length >= afterRestart + 20, "traffic after the restart");
    stop = true;
    await Promise.all(traffic);

    await until(() => requestIds.every((id) => cp.usageEvents.has(id)), "every event", 15_000);
    expect(new Set(requestIds).size).toBe(requestIds.length);
    const received = [...cp.usageEvents.values()].filter((e) => requestIds.includes(e.requestId));
    expect(received).toHaveLength(requestIds.length);
    await until(async () => (await spoolFiles(spool)).length === 0, "an empty spool");
  }, 60_000);

  it("delivers what a stopped proxy left in its spool when it starts again", async () => {
    const spool = await tempDir();
    const snapshot = join(await tempDir(), "snapshot.json");
    const first = await startProxy(spool, snapshot);
    await cp.close();
    const requestIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await chat(first.url, { max_tokens: 2, stream: i % 2 === 0 });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      requestIds.push(res.headers.get("x-request-id")!);
    }
    // A graceful stop with the control plane down writes what is queued to the spool.
    await first.proxy.close();
    expect((await spoolFiles(spool)).length).toBeGreaterThan(0);
    expect(requestIds.some((id) => cp.usageEvents.has(id))).toBe(false);

    await cp.listen(cpPort);
    await startProxy(spool, snapshot);
    await until(() => requestIds.every((id) => cp.usageEvents.has(id)), "the spooled events");
    await until(async () => (await spoolFiles(spool)).length === 0, "an empty spool");
  }, 30_000);

  it("keeps the events the control plane refuses under rejected/ and counts the rest of their batch delivered", async () => {
    const spool = await tempDir();
    const { url } = await startProxy(spool);
    cp.setUsageRefusal((event) => event.status === 404);
    try {
      // At once, so that both events travel in one batch.
      const [ok, refused] = await Promise.all([
        chat(url, { max_tokens: 1 }),
        chat(url, { model: "refuse-me" }),
      ]);
      await Promise.all([ok.arrayBuffer(), refused.arrayBuffer()]);
      await until(() => cp.usageEvents.has(ok.headers.get("x-request-id")!), "the good event");
      await until(async () => (await readdir(join(spool, "rejected"))).length === 1, "the refused event");
      const [name] = await readdir(join(spool, "rejected"));
      const kept = JSON.parse(await readFile(join(spool, "rejected", name!), "utf8")) as {
        events: { requestId: string }[];
        rejected: { requestId: string }[];
      };
      expect(kept.events.map((e) => e.requestId)).toEqual([refused.headers.get("x-request-id")]);
      expect(kept.rejected[0]!.requestId).toBe(refused.headers.get("x-request-id"));
      // Nothing is retried: the spool holds no backlog.
      expect(await spoolFiles(spool)).toEqual([]);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/switchyard_proxy_usage_events_total\{outcome="delivered"\} 1\n/);
      expect(metrics).toMatch(/switchyard_proxy_usage_events_total\{outcome="rejected"\} 1\n/);
    } finally {
      cp.setUsageRefusal(() => false);
    }
  });

  it("keeps a batch the control plane rejects as invalid under rejected/ instead of retrying it", async () => {
    const spool = await tempDir();
    const { url } = await startProxy(spool);
    cp.setUsageStatus(400);
    try {
      const res = await chat(url, { max_tokens: 1 });
      await res.arrayBuffer();
      await until(async () => (await readdir(join(spool, "rejected"))).length === 1, "a rejected batch");
      const posts = cp.usageStats.posts;
      await new Promise((r) => setTimeout(r, 300));
      expect(cp.usageStats.posts).toBe(posts);
      expect(await spoolFiles(spool)).toEqual([]);
    } finally {
      cp.setUsageStatus(200);
    }
  });
});
