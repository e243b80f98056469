/**
 * "A change saved in the dashboard is enforced by the proxy within 1 s": the real control plane
 * (on a database of its own) and a real proxy long-polling it. Each change is made the way the
 * dashboard makes it (tRPC with an admin's session), and the time from the mutation's answer to
 * the first proxy answer that reflects it is measured by polling the proxy about every 5 ms.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
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
import { type ChatAnswer, chatOnce, recordingLogger } from "./support/proxy-traffic.ts";

/** What the issue promises; long-poll wake-ups take milliseconds, so this is ample headroom. */
const enforcementBudgetMs = 1000;
/** How long to keep polling past the budget, so a slow run reports its real number. */
const giveUpAfterMs = 5000;

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
const latencies: Array<{ change: string; ms: number }> = [];

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
  if (latencies.length > 0) {
    console.log(
      `enforcement latencies (mutation answered -> proxy enforces): ${latencies
        .map((l) => `${l.change} ${l.ms.toFixed(1)} ms`)
        .join(", ")}`,
    );
  }
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

/**
 * Makes the change, then polls the proxy until `reflects` holds for its answer, and returns the
 * milliseconds from the mutation's answer to the proxy's first answer that reflects it.
 */
async function timeToEnforce<T>(
  change: string,
  mutate: () => Promise<TrpcResult>,
  probe: (result: T) => Promise<ChatAnswer>,
  reflects: (answer: ChatAnswer) => boolean,
): Promise<{ ms: number; result: T; answer: ChatAnswer }> {
  const sentAt = performance.now();
  const r = await mutate();
  const answeredAt = performance.now();
  const result = data<T>(r);
  let last: ChatAnswer | null = null;
  let probes = 0;
  while (performance.now() - answeredAt < giveUpAfterMs) {
    last = await probe(result);
    probes++;
    if (reflects(last)) {
      const ms = performance.now() - answeredAt;
      latencies.push({ change, ms });
      console.log(
        `${change}: enforced by the proxy ${ms.toFixed(1)} ms after the mutation answered ` +
          `(the mutation itself took ${(answeredAt - sentAt).toFixed(1)} ms; ${probes} probes)`,
      );
      return { ms, result, answer: last };
    }
    await sleep(5);
  }
  throw new Error(
    `${change}: the proxy still answered ${JSON.stringify(last)} ${giveUpAfterMs} ms after the mutation`,
  );
}

describe("a change saved in the dashboard is enforced by the proxy within 1 s", () => {
  let key: KeyView;
  let secret: string;

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.log(`proxy log:\n${proxyLog.lines.join("\n")}`));
  });

  it("creating a key: the new secret is accepted", async () => {
    const { ms, result, answer } = await timeToEnforce<KeyWithSecret>(
      "create",
      () =>
        admin.mutate("keys.create", {
          name: "enforcement probe",
          owner: { type: "user", id: options.users[0]!.id },
          allowedModels: [model, otherModel],
          tags: [],
          metadata: {},
        }),
      ({ secret }) => chat(secret),
      (a) => a.status === 200,
    );
    expect(answer.configVersion).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(enforcementBudgetMs);
    key = result.key;
    secret = result.secret;
  });

  it("changing the key's allowed models: the removed model is refused with 403 model_not_allowed", async () => {
    expect((await chat(secret, model)).status).toBe(200);
    const { ms, result } = await timeToEnforce<KeyView>(
      "allowedModels",
      () => admin.mutate("keys.update", { id: key.id, version: key.version, allowedModels: [otherModel] }),
      () => chat(secret, model),
      (a) => a.status !== 200,
    );
    const refused = await chat(secret, model);
    expect(refused).toMatchObject({ status: 403, code: "model_not_allowed" });
    expect((await chat(secret, otherModel)).status).toBe(200);
    expect(ms).toBeLessThanOrEqual(enforcementBudgetMs);
    key = result;
  });

  it("rotating the key with grace 0: the old secret is refused at once, the new one accepted", async () => {
    expect((await chat(secret, otherModel)).status).toBe(200);
    const { ms, result } = await timeToEnforce<KeyWithSecret>(
      "rotate (grace 0)",
      () => admin.mutate("keys.rotate", { id: key.id, graceMinutes: 0 }),
      () => chat(secret, otherModel),
      (a) => a.status !== 200,
    );
    expect(await chat(secret, otherModel)).toMatchObject({ status: 401, code: "invalid_api_key" });
    expect((await chat(result.secret, otherModel)).status).toBe(200);
    expect(result.key.id).toBe(key.id);
    expect(ms).toBeLessThanOrEqual(enforcementBudgetMs);
    key = result.key;
    secret = result.secret;
  });

  it("revoking the key: it is refused with 401 key_revoked", async () => {
    expect((await chat(secret, otherModel)).status).toBe(200);
    const { ms } = await timeToEnforce<unknown>(
      "revoke",
      () => admin.mutate("keys.revoke", { id: key.id }),
      () => chat(secret, otherModel),
      (a) => a.status !== 200,
    );
    expect(await chat(secret, otherModel)).toMatchObject({ status: 401, code: "key_revoked" });
    expect(ms).toBeLessThanOrEqual(enforcementBudgetMs);
  });
});
