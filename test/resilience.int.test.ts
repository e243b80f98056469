/**
 * "Keeps serving on its last good snapshot when the control plane, Postgres or Redis is down":
 * the real control plane and a real proxy, on a Postgres cluster and a redis-server of their own
 * (the shared ones are never touched), with traffic flowing (a chat completion and a /healthz
 * about every 20 ms). Each dependency is stopped in turn, the proxy is restarted with all of them
 * down, then everything comes back: a new config change reaches the proxy, and every request
 * answered during the outage has exactly one usage event in Postgres. Each stage lasts a number of
 * requests, not a time, so a slow machine makes the test slower, never wrong; nothing here measures
 * speed (bench/ does).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createCredentialVault, seedDemoData, startControlPlane } from "@switchyard/control-plane";
import type { KeyView } from "@switchyard/core";
import { parseMasterKeys } from "@switchyard/core/crypto/seal";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { createProxy, type ProxyServer } from "@switchyard/proxy";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Client, demoPasswords, type TrpcResult } from "../apps/control-plane/test/harness.ts";
import { createDatabaseIfMissing, createDb, migrateDatabase } from "../packages/db/src/index.ts";
import {
  freePort,
  portIsOpen,
  type RedisServer,
  startRedisServer,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from "./support/processes.ts";
import {
  type ChatAnswer,
  chatOnce,
  type HealthAnswer,
  recordingLogger,
  startTraffic,
  type Traffic,
} from "./support/proxy-traffic.ts";

const dataPlaneToken = randomBytes(24).toString("base64url");
const masterKeys = `1:${randomBytes(32).toString("hex")}`;
const model = "mock-gpt";
/** How many requests (a chat completion and a /healthz each) flow through each stage of the outage. */
const requestsPerStage = 50;
/** How long a stage may take to see its requests answered: ample, a stage takes about 1 s. */
const stageTimeoutMs = 20_000;

let pg: ThrowawayPostgres | null = null;
let redis: RedisServer | null = null;
let mock: MockProvider | null = null;
let cp: Awaited<ReturnType<typeof startControlPlane>> | null = null;
let proxy: ProxyServer | null = null;
let traffic: Traffic | null = null;
let dir: string;
let snapshotPath: string;
let spoolDir: string;
let cpPort: number;
let proxyPort: number;
let demoApiKey: string;
const proxyUrl = () => `http://127.0.0.1:${proxyPort}`;
const proxyLog = recordingLogger("proxy");
/** Every chat completion sent with the demo key in this file, whatever its phase. */
const sent: ChatAnswer[] = [];
/** Every /healthz answer of the outage traffic. */
const healthAnswers: HealthAnswer[] = [];
/** The config version the proxy enforced when the outage began. */
let lastVersion: number;

async function chat(phase = "setup"): Promise<ChatAnswer> {
  const answer = await chatOnce(proxyUrl(), demoApiKey, model, phase);
  sent.push(answer);
  return answer;
}

function startCp() {
  return startControlPlane({
    DATABASE_URL: pg!.databaseUrl,
    REDIS_URL: redis!.url,
    CONTROL_PLANE_PORT: String(cpPort),
    CONTROL_PLANE_HOST: "127.0.0.1",
    DATA_PLANE_TOKEN: dataPlaneToken,
    MASTER_KEYS: masterKeys,
    MIGRATE_ON_START: "false",
    KEY_ROTATION_INTERVAL_SECONDS: "0",
  });
}

async function startProxy(): Promise<ProxyServer> {
  const created = createProxy({
    controlPlaneUrl: `http://127.0.0.1:${cpPort}`,
    dataPlaneToken,
    snapshotPath,
    usageSpoolDir: spoolDir,
    redisUrl: redis!.url,
    logger: proxyLog.logger,
    // Retries capped at 1 s rather than 5-10 s, so recovery is seen quickly once things are back.
    pollBackoff: { initialMs: 100, maxMs: 1000 },
    usageShipping: { backoff: { initialMs: 100, maxMs: 1000 } },
  });
  try {
    await created.listen(proxyPort, "127.0.0.1");
  } catch (err) {
    await created.close();
    throw err;
  }
  return created;
}

/** Batches waiting in the usage spool, and the events in them (the count is in each file name). */
function spooled(): { files: number; events: number } {
  const names = readdirSync(spoolDir).filter((n) => n.endsWith(".json") && !n.startsWith(".tmp-"));
  return {
    files: names.length,
    events: names.reduce((sum, n) => sum + Number(/-(\d+)\.json$/.exec(n)?.[1] ?? 0), 0),
  };
}

/** The result of a successful tRPC call (fails the test when there is none). */
function data<T>(r: TrpcResult): T {
  if (r.status !== 200 || !r.body.result)
    throw new Error(`call failed (${r.status}): ${JSON.stringify(r.body)}`);
  return r.body.result.data as T;
}

/** Gives the demo key an rpm limit as an admin would in the dashboard. */
async function setDemoKeyRpm(rpm: number): Promise<void> {
  const admin = await new Client(`http://127.0.0.1:${cpPort}`).login("admin");
  const keys = data<{ items: KeyView[] }>(await admin.query("keys.list", {})).items;
  const demo = keys.find((k) => k.name === "Demo key");
  if (!demo) throw new Error(`no demo key among ${keys.map((k) => k.name).join(", ")}`);
  data<KeyView>(await admin.mutate("keys.update", { id: demo.id, version: demo.version, rpm }));
}

/** Lets traffic run until `count` chat completions (and as many /healthz) of `phase` were answered. */
async function flowThrough(t: Traffic, phase: string, count = requestsPerStage): Promise<void> {
  await expect
    .poll(() => t.chats.filter((a) => a.phase === phase).length, {
      timeout: stageTimeoutMs,
      interval: 20,
      message: `requests answered while ${phase}`,
    })
    .toBeGreaterThanOrEqual(count);
}

/**
 * Every chat completion and /healthz of `phase` answered 200 on the config version enforced when
 * the outage began, and traffic really flowed through it.
 */
function expectAllServed(t: Traffic, phase: string): void {
  const chats = t.chats.filter((a) => a.phase === phase);
  const health = t.health.filter((h) => h.phase === phase);
  expect(chats.length, `requests sent while ${phase}`).toBeGreaterThanOrEqual(requestsPerStage);
  expect(notOk(chats)).toEqual([]);
  expect(chats.filter((a) => a.configVersion !== lastVersion)).toEqual([]);
  expect(notOk(health)).toEqual([]);
  expect(health.filter((h) => h.configVersion !== lastVersion)).toEqual([]);
}

/** What went wrong among the answers of one phase, for a readable failure. */
function notOk(answers: Array<ChatAnswer | HealthAnswer>): Array<ChatAnswer | HealthAnswer> {
  return answers.filter((a) => a.status !== 200);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "switchyard-resilience-"));
  snapshotPath = path.join(dir, "proxy-snapshot.json");
  spoolDir = path.join(dir, "usage-spool");
  pg = await startThrowawayPostgres();
  await createDatabaseIfMissing(pg.databaseUrl);
  await migrateDatabase(pg.databaseUrl);
  redis = await startRedisServer();
  mock = createMockProvider();
  const mockAddr = await mock.listen(0, "127.0.0.1");
  const db = createDb(pg.databaseUrl, { poolSize: 2 });
  try {
    const seeded = await seedDemoData(db, {
      mockProviderUrl: mockAddr.url,
      passwords: demoPasswords,
      vault: createCredentialVault({ masterKeys: parseMasterKeys(masterKeys), dataPlaneToken }),
    });
    demoApiKey = seeded.demoApiKey;
  } finally {
    await db.$disconnect();
  }
  cpPort = await freePort();
  proxyPort = await freePort();
  cp = await startCp();
  proxy = await startProxy();
  await vi.waitFor(() => expect(proxy?.configStore.version).toBeGreaterThan(0), { timeout: 10_000 });
}, 90_000);

afterAll(async () => {
  const errors: unknown[] = [];
  const attempt = async (step: () => Promise<unknown> | undefined) => {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  };
  await attempt(() => traffic?.stop());
  await attempt(() => proxy?.close());
  await attempt(() => cp?.close());
  await attempt(() => mock?.close());
  await attempt(() => redis?.stop());
  await attempt(() => pg?.destroy());
  rmSync(dir, { recursive: true, force: true });
  if (errors.length > 0) throw new AggregateError(errors, "cleaning up after the resilience test failed");
}, 60_000);

describe("the proxy keeps serving on its last good snapshot", () => {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.log(`proxy log:\n${proxyLog.lines.join("\n")}`));
  });

  it("enforces a limit kept in Redis and persists the snapshot before the outage", async () => {
    await setDemoKeyRpm(100_000);
    const answer = await vi.waitFor(
      async () => {
        const a = await chat();
        expect(a).toMatchObject({ status: 200, rpmLimit: 100_000 });
        return a;
      },
      { timeout: 5000, interval: 20 },
    );
    lastVersion = answer.configVersion!;
    expect(lastVersion).toBe(proxy!.configStore.version);
    await vi.waitFor(
      () =>
        expect((JSON.parse(readFileSync(snapshotPath, "utf8")) as { version: number }).version).toBe(
          lastVersion,
        ),
      { timeout: 5000 },
    );
    traffic = startTraffic({ chat, proxyUrl: proxyUrl(), intervalMs: 20, phase: "all up" });
    await flowThrough(traffic, "all up", 10);
  });

  it("(a) control plane stopped: every request still succeeds", async () => {
    traffic!.phase = "control plane down";
    await cp!.close();
    cp = null;
    expect(await portIsOpen(cpPort)).toBe(false);
    await flowThrough(traffic!, "control plane down");
    expectAllServed(traffic!, "control plane down");
  });

  it("(b) control plane and Postgres stopped: every request still succeeds", async () => {
    traffic!.phase = "control plane and Postgres down";
    await pg!.stop();
    expect(await portIsOpen(pg!.port)).toBe(false);
    await flowThrough(traffic!, "control plane and Postgres down");
    expectAllServed(traffic!, "control plane and Postgres down");
  });

  it("(c) Redis stopped too: requests succeed (rate limits fail open) and usage events are spooled", async () => {
    traffic!.phase = "control plane, Postgres and Redis down";
    await redis!.stop();
    expect(await portIsOpen(redis!.port)).toBe(false);
    await flowThrough(traffic!, "control plane, Postgres and Redis down");
    await traffic!.stop();
    expectAllServed(traffic!, "control plane, Postgres and Redis down");
    // Redis was really in the path until it went down: the limit headers came from it.
    const beforeRedisStopped = traffic!.chats.filter((a) => !a.phase.includes("Redis"));
    expect(beforeRedisStopped.filter((a) => a.rpmLimit !== 100_000)).toEqual([]);
    expect(notOk(traffic!.chats)).toEqual([]);
    expect(notOk(traffic!.health)).toEqual([]);
    healthAnswers.push(...traffic!.health);
    // The control plane has been down since (a): its events wait on disk.
    await vi.waitFor(() => expect(spooled().files).toBeGreaterThan(0), { timeout: 5000 });
  });

  it("(d) a proxy restarted with everything down serves from the persisted snapshot", async () => {
    await proxy!.close();
    proxy = null;
    // Closing delivered nothing (the control plane is down): every queued event went to the spool.
    expect(spooled().events).toBeGreaterThan(0);
    proxy = await startProxy();
    expect(proxy.configStore.version).toBe(lastVersion);
    traffic = startTraffic({ chat, proxyUrl: proxyUrl(), intervalMs: 20, phase: "restarted, all down" });
    await flowThrough(traffic, "restarted, all down");
    await traffic.stop();
    expectAllServed(traffic, "restarted, all down");
    healthAnswers.push(...traffic.health);
  });

  it("(e) once everything is back, a new change reaches the proxy and every request has exactly one usage event", async () => {
    traffic = startTraffic({ chat, proxyUrl: proxyUrl(), intervalMs: 20, phase: "coming back" });
    await pg!.start();
    await redis!.start();
    cp = await startCp();
    await setDemoKeyRpm(90_000);
    await vi.waitFor(
      () => {
        const newest = traffic!.chats.at(-1);
        expect(newest).toMatchObject({ status: 200, rpmLimit: 90_000 });
        expect(newest!.configVersion).toBeGreaterThan(lastVersion);
      },
      { timeout: 10_000, interval: 20 },
    );
    // A few more requests on the new version before the count of usage events.
    const answeredBefore = traffic.chats.length;
    await flowThrough(traffic, "coming back", answeredBefore + 10);
    await traffic.stop();
    expect(notOk(traffic.chats)).toEqual([]);
    expect(notOk(traffic.health)).toEqual([]);
    for (const h of traffic.health) expect(h.configVersion).toBeGreaterThanOrEqual(lastVersion);
    healthAnswers.push(...traffic.health);

    // At least once delivery, idempotent ingest: each answered request is one row, no more, no less.
    expect(sent.every((a) => a.status === 200 && a.requestId !== null)).toBe(true);
    const expected = new Set(sent.map((a) => a.requestId!));
    expect(expected.size).toBe(sent.length);
    const db = createDb(pg!.databaseUrl, { poolSize: 1 });
    try {
      const demoKeyId = (await db.apiKey.findFirstOrThrow({ where: { name: "Demo key" } })).id;
      const rows = await vi.waitFor(
        async () => {
          const found = await db.usageEvent.findMany({
            where: { keyId: demoKeyId },
            select: { requestId: true },
          });
          expect(found.length).toBeGreaterThanOrEqual(expected.size);
          expect(spooled().files).toBe(0);
          return found;
        },
        { timeout: 20_000, interval: 100 },
      );
      const stored = rows.map((r) => r.requestId);
      expect(stored.length).toBe(new Set(stored).size);
      expect(new Set(stored)).toEqual(expected);
      const duringOutage = sent.filter((a) => a.phase !== "setup" && a.phase !== "all up");
      expect(duringOutage.length).toBeGreaterThanOrEqual(4 * requestsPerStage);
      const storedSet = new Set(stored);
      expect(duringOutage.filter((a) => !storedSet.has(a.requestId!))).toEqual([]);
      const byPhase = new Map<string, number>();
      for (const a of sent) byPhase.set(a.phase, (byPhase.get(a.phase) ?? 0) + 1);
      console.log(
        `requests answered 200, by phase: ${[...byPhase].map(([p, n]) => `${p}: ${n}`).join("; ")}; ` +
          `usage events in Postgres: ${stored.length} for ${expected.size} requests`,
      );
    } finally {
      await db.$disconnect();
    }
    expect(healthAnswers.length).toBeGreaterThanOrEqual(4 * requestsPerStage);
  });
});
