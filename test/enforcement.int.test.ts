/**
 * "A change saved in the dashboard is enforced by the proxy": the real control plane (on a
 * database of its own) and a real proxy long-polling it. Each change is made the way the dashboard
 * makes it (tRPC with an admin's session) on a key of the test's own, and the proxy is polled until
 * its answer reflects the change. Each case stands alone; how long enforcement takes is measured in
 * bench/enforcement.ts, not asserted here.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createCredentialVault, seedDemoData, startControlPlane } from "@switchyard/control-plane";
import type { KeyFormOptions, KeyWithSecret } from "@switchyard/core";
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
import { chatOnce, recordingLogger } from "./support/proxy-traffic.ts";

/**
 * How long a test waits for the proxy to reflect a change: far above the milliseconds a long-poll
 * wake-up takes, so a loaded machine does not fail the test. How fast it really is, is measured by
 * bench/enforcement.ts.
 */
const enforced = { timeout: 10_000, interval: 5 };

const databaseUrl = withDatabase(
  inject("databaseUrl"),
  `${poolConfigFromUrl(inject("databaseUrl")).database}_enforce`,
);
const dataPlaneToken = randomBytes(24).toString("base64url");
const masterKeys = `1:${randomBytes(32).toString("hex")}`;
const model = "mock-gpt";
const otherModel = "mock-gpt-mini";

let mock: MockProvider | null = null;
let cp: Awaited<ReturnType<typeof startControlPlane>> | null = null;
let proxy: ProxyServer | null = null;
let proxyUrl: string;
let admin: Client;
let options: KeyFormOptions;
const proxyLog = recordingLogger("proxy");

beforeAll(async () => {
  await createDatabaseIfMissing(databaseUrl);
  await migrateDatabase(databaseUrl);
  mock = createMockProvider();
  const mockAddr = await mock.listen(0, "127.0.0.1");
  const db = createDb(databaseUrl, { poolSize: 2 });
  try {
    await seedDemoData(db, {
      mockProviderUrl: mockAddr.url,
      passwords: demoPasswords,
      vault: createCredentialVault({ masterKeys: parseMasterKeys(masterKeys), dataPlaneToken }),
    });
  } finally {
    await db.$disconnect();
  }
  cp = await startControlPlane({
    DATABASE_URL: databaseUrl,
    CONTROL_PLANE_PORT: "0",
    CONTROL_PLANE_HOST: "127.0.0.1",
    DATA_PLANE_TOKEN: dataPlaneToken,
    MASTER_KEYS: masterKeys,
    MIGRATE_ON_START: "false",
    KEY_ROTATION_INTERVAL_SECONDS: "0",
  });
  proxy = createProxy({
    controlPlaneUrl: cp.url,
    dataPlaneToken,
    snapshotPath: null,
    usageSpoolDir: null,
    logger: proxyLog.logger,
  });
  proxyUrl = (await proxy.listen(0, "127.0.0.1")).url;
  await vi.waitFor(() => expect(proxy?.configStore.version).toBeGreaterThan(0), { timeout: 10_000 });
  admin = await new Client(cp.url).login("admin");
  options = data<KeyFormOptions>(await admin.query("keys.formOptions"));
}, 90_000);

afterAll(async () => {
  // Proxy first, so its last usage events reach the control plane before that closes.
  await proxy?.close();
  await cp?.close();
  await mock?.close();
  await dropDatabase(databaseUrl);
});

/** The result of a successful tRPC call (fails the test when there is none). */
function data<T>(r: TrpcResult): T {
  if (r.status !== 200 || !r.body.result)
    throw new Error(`call failed (${r.status}): ${JSON.stringify(r.body)}`);
  return r.body.result.data as T;
}

const chat = (apiKey: string, asModel = model) => chatOnce(proxyUrl, apiKey, asModel);

/** Creates a key allowed both models, as the dashboard's form does, named for this test alone. */
async function createKey(): Promise<KeyWithSecret> {
  return data<KeyWithSecret>(
    await admin.mutate("keys.create", {
      name: `enforcement probe ${randomUUID()}`,
      owner: { type: "user", id: options.users[0]!.id },
      allowedModels: [model, otherModel],
      tags: [],
      metadata: {},
    }),
  );
}

/** A new key of the calling test's own, once the proxy accepts it. */
async function liveKey(): Promise<KeyWithSecret> {
  const created = await createKey();
  await expect.poll(() => chat(created.secret), enforced).toMatchObject({ status: 200 });
  return created;
}

describe("a change saved in the dashboard is enforced by the proxy", () => {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.log(`proxy log:\n${proxyLog.lines.join("\n")}`));
  });

  it("creating a key: the new secret is accepted", async () => {
    const { secret } = await createKey();
    await expect.poll(() => chat(secret), enforced).toMatchObject({ status: 200 });
    expect((await chat(secret)).configVersion).toBeGreaterThan(0);
    expect(await chat(`${secret}x`)).toMatchObject({ status: 401, code: "invalid_api_key" });
  });

  it("changing the key's allowed models: the removed model is refused with 403 model_not_allowed", async () => {
    const { key, secret } = await liveKey();
    expect((await chat(secret, otherModel)).status).toBe(200);
    data(
      await admin.mutate("keys.update", { id: key.id, version: key.version, allowedModels: [otherModel] }),
    );
    await expect
      .poll(() => chat(secret, model), enforced)
      .toMatchObject({ status: 403, code: "model_not_allowed" });
    expect((await chat(secret, otherModel)).status).toBe(200);
  });

  it("rotating the key with grace 0: the old secret is refused at once, the new one accepted", async () => {
    const { key, secret } = await liveKey();
    const rotated = data<KeyWithSecret>(await admin.mutate("keys.rotate", { id: key.id, graceMinutes: 0 }));
    expect(rotated.key.id).toBe(key.id);
    await expect
      .poll(() => chat(secret, otherModel), enforced)
      .toMatchObject({ status: 401, code: "invalid_api_key" });
    expect((await chat(rotated.secret, otherModel)).status).toBe(200);
  });

  it("revoking the key: it is refused with 401 key_revoked", async () => {
    const { key, secret } = await liveKey();
    data(await admin.mutate("keys.revoke", { id: key.id }));
    await expect
      .poll(() => chat(secret, otherModel), enforced)
      .toMatchObject({ status: 401, code: "key_revoked" });
  });
});
