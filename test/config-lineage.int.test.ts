/**
 * A proxy whose persisted snapshot is ahead of its control plane's history, against the real
 * control plane and a real proxy:
 * - restored database: the file's version is above the control plane's head, in the same lineage,
 *   and it still accepts a key revoked since. After a restart the proxy must take the control
 *   plane's (lower) head within seconds, refuse the key, and report the control plane's version
 *   in /healthz; before lineages it long-polled `after=<its version>` forever and said it was in sync;
 * - recreated database: the control plane comes back on a new, freshly seeded database (a new
 *   lineage, versions from 1 again); the proxy takes its head although its version is lower.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createCredentialVault, seedDemoData, startControlPlane } from "@switchyard/control-plane";
import type { KeyFormOptions, KeyView, KeyWithSecret } from "@switchyard/core";
import { parseMasterKeys } from "@switchyard/core/crypto/seal";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { createProxy, type ProxyServer } from "@switchyard/proxy";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { Client, demoPasswords, type TrpcResult } from "../apps/control-plane/test/harness.ts";
import {
  createDatabaseIfMissing,
  createDb,
  dropDatabase,
  migrateDatabase,
  poolConfigFromUrl,
  withDatabase,
} from "../packages/db/src/index.ts";
import { snapshotFileText } from "../packages/proxy/src/config/snapshot-file.ts";
import { freePort } from "./support/processes.ts";
import { type ChatAnswer, chatOnce, recordingLogger } from "./support/proxy-traffic.ts";

const baseDatabase = poolConfigFromUrl(inject("databaseUrl")).database;
const firstDatabaseUrl = withDatabase(inject("databaseUrl"), `${baseDatabase}_lineage_a`);
const secondDatabaseUrl = withDatabase(inject("databaseUrl"), `${baseDatabase}_lineage_b`);
const dataPlaneToken = randomBytes(24).toString("base64url");
const masterKeys = `1:${randomBytes(32).toString("hex")}`;
const model = "mock-gpt";
/** "Within a few seconds": the poller's first poll after a restart, with ample headroom. */
const catchUpMs = 5000;

let mock: MockProvider | null = null;
let cp: Awaited<ReturnType<typeof startControlPlane>> | null = null;
let proxy: ProxyServer | null = null;
let dir: string;
let snapshotPath: string;
let cpPort: number;
let proxyPort: number;
let mockUrl: string;
let firstDemoKey: string;
const proxyUrl = () => `http://127.0.0.1:${proxyPort}`;
const proxyLog = recordingLogger("proxy");

type Health = {
  configVersion: number | null;
  configLineage: string | null;
  configSyncedSecondsAgo: number | null;
};

/** Migrates and seeds a database of its own; returns its demo key. */
async function seedDatabase(databaseUrl: string): Promise<string> {
  await dropDatabase(databaseUrl);
  await createDatabaseIfMissing(databaseUrl);
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 2 });
  try {
    const seeded = await seedDemoData(db, {
      mockProviderUrl: mockUrl,
      passwords: demoPasswords,
      vault: createCredentialVault({ masterKeys: parseMasterKeys(masterKeys), dataPlaneToken }),
    });
    return seeded.demoApiKey;
  } finally {
    await db.$disconnect();
  }
}

function startCp(databaseUrl: string) {
  return startControlPlane({
    DATABASE_URL: databaseUrl,
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
    usageSpoolDir: null,
    logger: proxyLog.logger,
    pollBackoff: { initialMs: 100, maxMs: 1000 },
  });
  await created.listen(proxyPort, "127.0.0.1");
  return created;
}

async function health(): Promise<Health> {
  const res = await fetch(`${proxyUrl()}/healthz`);
  expect(res.status).toBe(200);
  return (await res.json()) as Health;
}

const chat = (apiKey: string): Promise<ChatAnswer> => chatOnce(proxyUrl(), apiKey, model);

/** The control plane's head snapshot, as a proxy holding nothing is served it. */
async function controlPlaneHead(): Promise<{ version: number; lineage: string }> {
  const res = await fetch(`http://127.0.0.1:${cpPort}/data-plane/v1/config?after=0`, {
    headers: { authorization: `Bearer ${dataPlaneToken}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { version: number; lineage: string };
}

/** The persisted file's snapshot, without its MAC member. */
function persistedSnapshot(): Record<string, unknown> & { version: number; lineage: string } {
  const { snapshotFileMac: _mac, ...snapshot } = JSON.parse(readFileSync(snapshotPath, "utf8")) as {
    version: number;
    lineage: string;
    snapshotFileMac: string;
  };
  return snapshot;
}

/** The result of a successful tRPC call (fails the test when there is none). */
function data<T>(r: TrpcResult): T {
  if (r.status !== 200 || !r.body.result)
    throw new Error(`call failed (${r.status}): ${JSON.stringify(r.body)}`);
  return r.body.result.data as T;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "switchyard-lineage-"));
  snapshotPath = path.join(dir, "proxy-snapshot.json");
  mock = createMockProvider();
  mockUrl = (await mock.listen(0, "127.0.0.1")).url;
  firstDemoKey = await seedDatabase(firstDatabaseUrl);
  cpPort = await freePort();
  proxyPort = await freePort();
  cp = await startCp(firstDatabaseUrl);
  proxy = await startProxy();
}, 90_000);

afterAll(async () => {
  await proxy?.close();
  await cp?.close();
  await mock?.close();
  await dropDatabase(firstDatabaseUrl);
  await dropDatabase(secondDatabaseUrl);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("a proxy whose persisted snapshot is ahead of the control plane", () => {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.log(`proxy log:\n${proxyLog.lines.join("\n")}`));
  });

  it("takes the control plane's lower head after a restart when the database was restored", async () => {
    await vi.waitFor(async () => expect(await chat(firstDemoKey)).toMatchObject({ status: 200 }), {
      timeout: 10_000,
    });
    const held = await controlPlaneHead();
    await vi.waitFor(() => expect(persistedSnapshot().version).toBe(held.version), { timeout: 5000 });
    await proxy!.close();
    proxy = null;

    // Revoked while the proxy is down: the control plane's head is the revocation.
    const admin = await new Client(`http://127.0.0.1:${cpPort}`).login("admin");
    const demo = data<{ items: KeyView[] }>(await admin.query("keys.list", {})).items.find(
      (k) => k.name === "Demo key",
    )!;
    data<unknown>(await admin.mutate("keys.revoke", { id: demo.id }));
    const head = await controlPlaneHead();
    expect(head).toMatchObject({ version: held.version + 1, lineage: held.lineage });

    // The file a proxy kept from before the database was restored from an older backup: ahead of
    // the control plane's history, in the same lineage, with the key still valid in it.
    const ahead = { ...persistedSnapshot(), version: head.version + 50 };
    writeFileSync(snapshotPath, snapshotFileText(JSON.stringify(ahead), dataPlaneToken));

    proxy = await startProxy();
    const restartedAt = Date.now();
    expect(proxy.configStore.version).toBe(head.version + 50);
    await vi.waitFor(
      async () => expect(await chat(firstDemoKey)).toMatchObject({ status: 401, code: "key_revoked" }),
      { timeout: catchUpMs, interval: 50 },
    );
    console.log(`restored database: revoked key refused ${Date.now() - restartedAt} ms after the restart`);
    expect(await health()).toMatchObject({
      configVersion: head.version,
      configLineage: head.lineage,
      configSyncedSecondsAgo: expect.any(Number),
    });
    expect(proxyLog.lines.some((l) => l.includes("control plane's history is behind"))).toBe(true);
    // And it follows the control plane's history from there: the next change arrives.
    const options = data<KeyFormOptions>(await admin.query("keys.formOptions"));
    const created = data<KeyWithSecret>(
      await admin.mutate("keys.create", {
        name: "after the restore",
        owner: { type: "user", id: options.users[0]!.id },
        allowedModels: [],
        tags: [],
        metadata: {},
      }),
    );
    await vi.waitFor(async () => expect(await chat(created.secret)).toMatchObject({ status: 200 }), {
      timeout: catchUpMs,
      interval: 50,
    });
    expect((await health()).configVersion).toBe(head.version + 1);
    await vi.waitFor(() => expect(persistedSnapshot().version).toBe(head.version + 1), { timeout: 5000 });
  });

  it("takes the head of a recreated database, a new lineage with lower versions", async () => {
    const before = await health();
    await cp!.close();
    cp = null;
    const secondDemoKey = await seedDatabase(secondDatabaseUrl);
    cp = await startCp(secondDatabaseUrl);
    const head = await controlPlaneHead();
    expect(head.lineage).not.toBe(before.configLineage);
    expect(head.version).toBeLessThan(before.configVersion!);

    await vi.waitFor(async () => expect(await chat(secondDemoKey)).toMatchObject({ status: 200 }), {
      timeout: catchUpMs,
      interval: 50,
    });
    expect(await chat(firstDemoKey)).toMatchObject({ status: 401, code: "invalid_api_key" });
    expect(await health()).toMatchObject({
      configVersion: head.version,
      configLineage: head.lineage,
      configSyncedSecondsAgo: expect.any(Number),
    });
    await vi.waitFor(() => expect(persistedSnapshot().lineage).toBe(head.lineage), { timeout: 5000 });
  });
});
