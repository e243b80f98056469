/**
 * Usage events end to end: the proxy in front of the real mock provider, shipping its events to the
 * fake control plane (which keeps each requestId once, as the real ingest does). Covers one event per
 * request (success, stream, abort, refusal), delivery across a control-plane outage, a proxy
 * restarted with a non-empty spool, spool entries that cannot be read, and a proxy process killed
 * (SIGKILL) in the middle of a burst and started again on the same spool.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import fsPromises, { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import { syncBuiltinESMExports } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { costMicros, type GatewayConfig, type UsageEvent } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProxy, type ProxyServer } from "../index.ts";
import { type LogFields, type Logger, silentLogger } from "../logger.ts";
import { createFakeControlPlane } from "../testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "../testing/gateway-config.ts";
import { freePort } from "../testing/ports.ts";
import { defaultJournalMaxPending } from "./journal.ts";
import { createSpool } from "./spool.ts";

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
/** How long a test waits for what the proxy does in the background (delivery, spooling). */
const poll = { timeout: 10_000, interval: 20 };

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
  return gatewayConfig({
    keys: [testKey({ id: ids.key, userId: ids.user, teamId: ids.team, secrets: [{ secret }] })],
    providers: [testProvider({ id: ids.provider, baseUrl: `${mockUrl}/v1` })],
    models: [
      testModel({
        name: "gpt-priced",
        pricing,
        deployments: [{ id: ids.deployment, providerId: ids.provider }],
      }),
    ],
  });
}

async function startProxy(
  spoolDir: string | null,
  snapshotPath: string | null = null,
  logger = silentLogger,
) {
  const proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath,
    usageSpoolDir: spoolDir,
    logger,
    pollBackoff: { initialMs: 20, maxMs: 100 },
    usageShipping: { flushIntervalMs: 20, backoff: { initialMs: 20, maxMs: 200 }, requestTimeoutMs: 2000 },
  });
  proxies.push(proxy);
  const { url } = await proxy.listen(0);
  await expect.poll(() => proxy.configStore.version, poll).not.toBeNull();
  return { proxy, url };
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

/**
 * How often `dir` is listed while `during` runs, the replay's passes over the spool: every
 * `readdir` of this process is counted by its path (`syncBuiltinESMExports` hands the counting
 * function to the spool's own import of it), and restored after.
 */
async function spoolListings(dir: string, during: () => Promise<unknown>): Promise<number> {
  const { readdir: original } = fsPromises;
  let count = 0;
  fsPromises.readdir = ((path: Parameters<typeof original>[0], ...rest: unknown[]) => {
    if (path === dir) count++;
    return (original as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof original;
  syncBuiltinESMExports();
  try {
    await during();
  } finally {
    fsPromises.readdir = original;
    syncBuiltinESMExports();
  }
  return count;
}

async function spoolFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(".json"));
}

/** A logger that keeps what it is told, for the tests that check a log line. */
function recordingLogger(): Logger & { lines: (LogFields & { level: string; message: string })[] } {
  const lines: (LogFields & { level: string; message: string })[] = [];
  const keep = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, ...fields });
  };
  return { lines, info: keep("info"), warn: keep("warn"), error: keep("error") };
}

/** A valid event of this suite's key, as the proxy would have recorded it. */
function usageEvent(): UsageEvent {
  return {
    requestId: randomUUID(),
    at: new Date().toISOString(),
    keyId: ids.key,
    userId: ids.user,
    teamId: ids.team,
    model: "gpt-priced",
    deploymentId: ids.deployment,
    providerId: ids.provider,
    promptVersionId: null,
    variant: null,
    promptTokens: 3,
    completionTokens: 2,
    costMicros: 0,
    latencyMs: 1,
    ttftMs: null,
    status: 200,
    errorCode: null,
    stream: false,
    moderation: null,
  };
}

/**
 * In front of the fake control plane: passes every request through, or, while `hold()` is on,
 * keeps usage POSTs unanswered (a control plane too slow to store them) and never forwards them.
 */
async function createUsageGate(target: string) {
  let holding = false;
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      if (holding && req.url?.endsWith("/usage")) {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      try {
        const answer = await fetch(`${target}${req.url}`, {
          method: req.method ?? "GET",
          headers: {
            authorization: req.headers.authorization ?? "",
            "content-type": req.headers["content-type"] ?? "application/json",
          },
          ...(req.method === "POST" ? { body: Buffer.concat(chunks) } : {}),
        });
        const body = await answer.text();
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
        res.end(body);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold(): void {
      holding = true;
    },
    /** Drops what it held, unforwarded, and passes everything through from now on. */
    release(): void {
      holding = false;
      for (const res of held) res.destroy();
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

const mainPath = join(import.meta.dirname, "../main.ts");

/** The proxy as production runs it (src/main.ts), its own process, configured by its environment. */
async function spawnProxy(env: Record<string, string>) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [mainPath], {
    env: { PATH: process.env.PATH, ...env, PROXY_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`the proxy exited early:\n${output}`);
        const res = await fetch(`${url}/healthz`).catch(() => null);
        return res?.headers.get("x-switchyard-config-version");
      },
      { ...poll, message: "the proxy process to serve", timeout: 20_000 },
    )
    .toBe("1");
  return { child, url, output: () => output };
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
    await expect
      .poll(() => cp.usageEvents.has(requestId), { ...poll, message: "the usage event" })
      .toBe(true);
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
    await expect
      .poll(() => cp.usageEvents.has(requestId), { ...poll, message: "the usage event" })
      .toBe(true);
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
    await expect
      .poll(() => cp.usageEvents.has(requestId), { ...poll, message: "the aborted request's event" })
      .toBe(true);
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
    await expect
      .poll(() => cp.usageEvents.has(refusedId), { ...poll, message: "the refusal's event" })
      .toBe(true);
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
    await expect.poll(() => cp.usageEvents.has(requestId), { ...poll, message: "the event" }).toBe(true);
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
    await expect
      .poll(() => requestIds.length, { ...poll, message: "traffic before the outage" })
      .toBeGreaterThanOrEqual(20);
    await cp.close();
    const beforeOutage = requestIds.length;
    await expect
      .poll(() => requestIds.length, { ...poll, message: "traffic during the outage" })
      .toBeGreaterThanOrEqual(beforeOutage + 40);
    // While the control plane is away, undelivered batches wait in the spool.
    await expect
      .poll(async () => (await spoolFiles(spool)).length, { ...poll, message: "spooled batches" })
      .toBeGreaterThan(0);
    await cp.listen(cpPort);
    const afterRestart = requestIds.length;
    await expect
      .poll(() => requestIds.length, { ...poll, message: "traffic after the restart" })
      .toBeGreaterThanOrEqual(afterRestart + 20);
    stop = true;
    await Promise.all(traffic);

    await expect
      .poll(() => requestIds.every((id) => cp.usageEvents.has(id)), {
        ...poll,
        message: "every event",
        timeout: 15_000,
      })
      .toBe(true);
    expect(new Set(requestIds).size).toBe(requestIds.length);
    const received = [...cp.usageEvents.values()].filter((e) => requestIds.includes(e.requestId));
    expect(received).toHaveLength(requestIds.length);
    await expect
      .poll(async () => (await spoolFiles(spool)).length, { ...poll, message: "an empty spool" })
      .toBe(0);
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
    await expect
      .poll(() => requestIds.every((id) => cp.usageEvents.has(id)), {
        ...poll,
        message: "the spooled events",
      })
      .toBe(true);
    await expect
      .poll(async () => (await spoolFiles(spool)).length, { ...poll, message: "an empty spool" })
      .toBe(0);
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
      await expect
        .poll(() => cp.usageEvents.has(ok.headers.get("x-request-id")!), {
          ...poll,
          message: "the good event",
        })
        .toBe(true);
      await expect
        .poll(async () => (await readdir(join(spool, "rejected"))).length, {
          ...poll,
          message: "the refused event",
        })
        .toBe(1);
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

  it("moves spool entries that cannot be read to rejected/, says why, and delivers the batches behind them", async () => {
    const spool = await tempDir();
    // A real batch, as an earlier run spooled it; and, sorting before it, a directory and a dangling
    // symbolic link where batch files should be.
    const earlier = createSpool(spool);
    await earlier.open();
    const event = usageEvent();
    await earlier.write(JSON.stringify({ events: [event] }), 1);
    const directory = "000000000000010-1-00000010-1.json";
    const dangling = "000000000000011-1-00000011-1.json";
    await mkdir(join(spool, directory));
    await symlink(join(spool, "no-such-batch"), join(spool, dangling));

    const log = recordingLogger();
    await startProxy(spool, null, log);
    await expect
      .poll(() => cp.usageEvents.has(event.requestId), { ...poll, message: "the real batch" })
      .toBe(true);
    await expect
      .poll(async () => (await readdir(join(spool, "rejected"))).length, {
        ...poll,
        message: "the entries in rejected/",
      })
      .toBe(2);
    expect((await readdir(join(spool, "rejected"))).sort()).toEqual([directory, dangling]);
    expect(await spoolFiles(spool)).toEqual([]);
    const rejections = log.lines.filter((line) => line.message.includes("cannot be read"));
    expect(rejections).toEqual([
      expect.objectContaining({
        level: "error",
        entry: directory,
        reason: expect.stringContaining("directory"),
      }),
      expect.objectContaining({
        level: "error",
        entry: dangling,
        reason: expect.stringContaining("symbolic link"),
      }),
    ]);
    // And the replay stopped: no more posts, no more passes over the spool.
    const posts = cp.usageStats.posts;
    await new Promise((r) => setTimeout(r, 300));
    expect(cp.usageStats.posts).toBe(posts);
  });

  it("backs off instead of spinning on a spool entry it cannot open by the name it lists", async () => {
    const spool = await tempDir();
    // A name that is not UTF-8: listed with U+FFFD in place of its 0xff byte, a name no file has.
    const name = Buffer.concat([
      Buffer.from(join(spool, "000000000000010-1-00000010-")),
      Buffer.from([0xff, 0x31]),
    ]);
    await writeFile(Buffer.concat([name, Buffer.from(".json")]), JSON.stringify({ events: [usageEvent()] }));

    const log = recordingLogger();
    await startProxy(spool, null, log);
    // Backing off (20 ms doubling to 200 ms here), the replay lists the spool about 7 times in a
    // second; looping over the entry at once, thousands of times. A slower machine lists it less.
    const listings = await spoolListings(spool, () => new Promise((r) => setTimeout(r, 1000)));
    expect(listings).toBeGreaterThan(0);
    expect(listings).toBeLessThan(30);
    expect(log.lines.filter((line) => line.message.includes("cannot be opened by its name"))).toHaveLength(1);
  });

  it("keeps a batch the control plane rejects as invalid under rejected/ instead of retrying it", async () => {
    const spool = await tempDir();
    const { url } = await startProxy(spool);
    cp.setUsageStatus(400);
    try {
      const res = await chat(url, { max_tokens: 1 });
      await res.arrayBuffer();
      await expect
        .poll(async () => (await readdir(join(spool, "rejected"))).length, {
          ...poll,
          message: "a rejected batch",
        })
        .toBe(1);
      const posts = cp.usageStats.posts;
      await new Promise((r) => setTimeout(r, 300));
      expect(cp.usageStats.posts).toBe(posts);
      expect(await spoolFiles(spool)).toEqual([]);
    } finally {
      cp.setUsageStatus(200);
    }
  });
});

describe("a proxy process killed mid-burst", () => {
  const running: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of running.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, "exit");
        child.kill("SIGKILL");
        await exited;
      }
    }
  });

  it("delivers the event of every request it answered 200, but for the last group commit's", async () => {
    const gate = await createUsageGate(cpUrl);
    const root = await tempDir();
    const spool = join(root, "spool");
    const env = {
      CONTROL_PLANE_URL: gate.url,
      DATA_PLANE_TOKEN: token,
      PROXY_SNAPSHOT_PATH: join(root, "snapshot.json"),
      PROXY_USAGE_SPOOL_DIR: spool,
    };
    try {
      const first = await spawnProxy(env);
      running.push(first.child);
      const answered: string[] = [];
      let stop = false;
      // Sixteen clients back to back; a request counts once its whole 200 answer arrived.
      const traffic = Array.from({ length: 16 }, async () => {
        while (!stop) {
          try {
            const res = await chat(first.url, { max_tokens: 2 });
            await res.arrayBuffer();
            if (res.status === 200) answered.push(res.headers.get("x-request-id")!);
          } catch {
            return; // the proxy is gone
          }
        }
      });
      const undelivered = () => answered.filter((id) => !cp.usageEvents.has(id)).length;
      await expect
        .poll(() => answered.length >= 50 && undelivered() < answered.length, {
          ...poll,
          message: "traffic and delivery",
        })
        .toBe(true);
      // The control plane slows down: events pile up in the proxy, which is then killed mid-burst.
      gate.hold();
      await expect
        .poll(() => undelivered(), { ...poll, message: "undelivered answered requests", timeout: 30_000 })
        .toBeGreaterThanOrEqual(300);
      const exited = once(first.child, "exit");
      first.child.kill("SIGKILL");
      await exited;
      stop = true;
      await Promise.all(traffic);
      const lostAtKill = undelivered();
      expect(lostAtKill).toBeGreaterThanOrEqual(300);

      gate.release();
      const second = await spawnProxy(env);
      running.push(second.child);
      // Started again on the same spool: it turns the journal into spool batches before it serves,
      // then delivers them, oldest first.
      await expect
        .poll(async () => (await spoolFiles(spool)).length, {
          ...poll,
          message: "an empty spool",
          timeout: 15_000,
        })
        .toBe(0);
      const lost = answered.filter((id) => !cp.usageEvents.has(id));
      expect(
        lost.length,
        `${lost.length} of ${answered.length} answered requests have no event`,
      ).toBeLessThanOrEqual(defaultJournalMaxPending);
      expect(lost.length).toBeLessThan(lostAtKill);
    } finally {
      await gate.close();
    }
  }, 90_000);
});
