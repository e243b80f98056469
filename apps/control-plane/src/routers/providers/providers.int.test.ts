/**
 * Provider credentials end to end over real HTTP: sealed at rest (the plaintext is nowhere in the
 * database, the audit log or the list), sealed for the proxies in snapshots, rotated with an
 * overlap that ends with a new snapshot, tested against a real (fake) provider, re-encrypted under
 * a new master key version; the update/delete rules; the data-plane alerts endpoint; MASTER_KEYS.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer, type Server as NetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { GatewayConfig, type ProviderTestResult, type ProviderView } from "@switchyard/core";
import { openSecret, parseMasterKeys, snapshotSealingKey } from "@switchyard/core/crypto/seal";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  Client,
  dataPlaneToken,
  fieldErrors,
  type Harness,
  startHarness,
  type TrpcResult,
  testMasterKeys,
} from "../../../test/harness.ts";
import { recordCredentialFallbackAlert } from "../../data-plane/alerts-endpoint.ts";
import { parseEnv } from "../../env.ts";
import { credentialOverlapJob } from "../../jobs/credential-overlap.ts";
import { startScheduler } from "../../jobs/scheduler.ts";
import { startControlPlane } from "../../main.ts";
import type { OpActor } from "../../services/op.ts";
import { expireCredentialOverlaps } from "../../services/providers/credentials.ts";
import { reencryptCredentials } from "../../services/providers/reencrypt.ts";
import { type ResolveHost, testProviderCredential } from "../../services/providers/test-connection.ts";
import { createCredentialVault } from "../../services/providers/vault.ts";

const run = Math.random().toString(36).slice(2, 8);
const name = (n: string) => `t-prov-${run}-${n}`;
const dp = { authorization: `Bearer ${dataPlaneToken}` };
const snapshotKey = snapshotSealingKey(dataPlaneToken);

let h: Harness;
let admin: Client;
let mock: MockProvider;
let mockUrl: string;
const goodKey = `sk-good-${run}-0123456789abcdefWXYZ`;

beforeAll(async () => {
  h = await startHarness();
  admin = await new Client(h.url).login("admin");
  mock = createMockProvider({ apiKey: goodKey });
  mockUrl = (await mock.listen(0, "127.0.0.1")).url;
});
afterAll(async () => {
  await h.db.provider.deleteMany({ where: { name: { startsWith: `t-prov-${run}-` } } });
  await mock.close();
  await h.close();
});

function data<T>(r: TrpcResult): T {
  if (r.status !== 200) throw new Error(`call failed (${r.status}): ${JSON.stringify(r.body.error)}`);
  return r.body.result!.data as T;
}

async function createProvider(input: Record<string, unknown>): Promise<ProviderView> {
  return data<ProviderView>(await admin.mutate("providers.create", input));
}

async function latestConfig(): Promise<GatewayConfig> {
  const r = await fetch(`${h.url}/data-plane/v1/config?after=0`, { headers: dp });
  expect(r.status).toBe(200);
  return GatewayConfig.parse(await r.json());
}

/** The plaintext of each credential a snapshot carries for a provider, opened as a proxy would. */
function openedCredentials(config: GatewayConfig, providerId: string) {
  const p = config.providers.find((x) => x.id === providerId);
  if (!p) throw new Error(`provider ${providerId} is not in snapshot ${config.version}`);
  return p.credentials.map((c) => ({
    id: c.id,
    role: c.role,
    plaintext: openSecret(c.sealed, snapshotKey.key, c.id),
  }));
}

describe("credentials at rest", () => {
  const secret = `sk-live-${run}-TOPSECRETvalue-9876`;
  let provider: ProviderView;

  beforeAll(async () => {
    provider = await createProvider({
      name: name("rest"),
      kind: "openai",
      baseUrl: "https://api.example.com/v1/",
      apiKey: `  ${secret}  `,
    });
  });

  it("returns the provider with the key masked to its last 4 characters", () => {
    expect(provider).toMatchObject({
      name: name("rest"),
      kind: "openai",
      baseUrl: "https://api.example.com/v1",
    });
    expect(provider.version).toBe(1);
    expect(provider.credentials).toEqual([
      {
        id: expect.any(String),
        role: "primary",
        last4: "9876",
        createdAt: expect.any(String),
        overlapUntil: null,
      },
    ]);
    expect(JSON.stringify(provider)).not.toContain(secret);
  });

  it("stores only ciphertext: the plaintext is in no column, audit entry, list or stored snapshot", async () => {
    const rows = await h.db.$queryRaw<
      unknown[]
    >`SELECT * FROM provider_credentials WHERE provider_id = ${provider.id}::uuid`;
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    expect(row).toMatchObject({ role: "primary", key_version: 1, last4: "9876" });
    expect(String(row.ciphertext).length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(Buffer.from(secret).toString("base64"));

    const audit = await h.db.auditLog.findMany({ where: { targetId: provider.id } });
    expect(audit.map((a) => a.action)).toContain("provider.created");
    const auditText = JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(auditText).not.toContain(secret);
    expect(auditText).toContain("9876");

    const list = data<{ items: ProviderView[] }>(await admin.query("providers.list"));
    const listed = list.items.find((p) => p.id === provider.id);
    expect(listed?.credentials.map((c) => c.last4)).toEqual(["9876"]);
    expect(JSON.stringify(list)).not.toContain(secret);

    const snapshots = await h.db.configSnapshot.findMany({ select: { config: true } });
    expect(JSON.stringify(snapshots)).not.toContain(secret);
  });

  it("lists the demo provider with the models deployed on it", async () => {
    const list = data<{ items: ProviderView[] }>(await admin.query("providers.list"));
    const demo = list.items.find((p) => p.name === "mock-provider");
    expect(demo?.models).toEqual(expect.arrayContaining(["mock-embed", "mock-gpt", "mock-gpt-mini"]));
    expect(demo?.credentials).toEqual([]);
  });

  it("ships the credential in the snapshot sealed for the data plane, opening to the key", async () => {
    const config = await latestConfig();
    expect(openedCredentials(config, provider.id)).toEqual([
      { id: provider.credentials[0]!.id, role: "primary", plaintext: secret },
    ]);
    // Sealed with the data-plane key, not the master key, and bound to the credential id.
    const sealed = config.providers.find((p) => p.id === provider.id)!.credentials[0]!.sealed;
    expect(() =>
      openSecret(sealed, parseMasterKeys(testMasterKeys).current.key, provider.credentials[0]!.id),
    ).toThrow();
    expect(() => openSecret(sealed, snapshotKey.key, "another-credential-id")).toThrow();
  });

  it("creates a provider without a key (a local vLLM), with an empty credential list", async () => {
    const p = await createProvider({
      name: name("nokey"),
      kind: "openai",
      baseUrl: "http://vllm.local:8000/v1",
      inCluster: true,
    });
    expect(p.credentials).toEqual([]);
    expect((await latestConfig()).providers.find((x) => x.id === p.id)?.credentials).toEqual([]);
  });
});

describe("create validation", () => {
  it("requires /v1 at the end of an OpenAI-compatible base URL, and says so", async () => {
    const r = await admin.mutate("providers.create", {
      name: name("nov1"),
      kind: "openai",
      baseUrl: "https://api.example.com",
    });
    expect(r.status).toBe(400);
    expect(fieldErrors(r).baseUrl?.join(" ")).toMatch(/must end with \/v1/);
  });

  it("refuses a non-http URL and an Anthropic URL ending in /v1", async () => {
    const ftp = await admin.mutate("providers.create", {
      name: name("ftp"),
      kind: "openai",
      baseUrl: "ftp://x/v1",
    });
    expect(fieldErrors(ftp).baseUrl?.join(" ")).toMatch(/http:\/\/ or https:\/\//);
    const anth = await admin.mutate("providers.create", {
      name: name("anth-v1"),
      kind: "anthropic",
      baseUrl: "https://api.anthropic.com/v1",
    });
    expect(fieldErrors(anth).baseUrl?.join(" ")).toMatch(/without \/v1/);
  });

  it("refuses an empty or oversized API key", async () => {
    const base = { name: name("badkey"), kind: "openai", baseUrl: "https://api.example.com/v1" };
    expect(
      fieldErrors(await admin.mutate("providers.create", { ...base, apiKey: "   " })).apiKey,
    ).toBeDefined();
    expect(
      fieldErrors(await admin.mutate("providers.create", { ...base, apiKey: "k".repeat(501) })).apiKey,
    ).toBeDefined();
  });

  it("of three concurrent creates with one idempotency key, exactly one makes a provider", async () => {
    const input = {
      name: name("once"),
      kind: "openai",
      baseUrl: "https://once.example.com/v1",
      idempotencyKey: crypto.randomUUID(),
    };
    const answers = await Promise.all([1, 2, 3].map(() => admin.mutate("providers.create", input)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    for (const lost of answers.filter((r) => r.status === 409)) {
      expect(lost.body.error?.data.appCode).toBe("conflict");
      expect(lost.body.error?.message).toMatch(/^Already created/);
    }
    expect(await h.db.provider.count({ where: { name: name("once") } })).toBe(1);
    // The same key from another submission under another name is still the same create.
    const renamed = await admin.mutate("providers.create", { ...input, name: name("once-2") });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error?.message).toMatch(/^Already created/);
  });

  it("refuses a second provider with the same name as a field error", async () => {
    await createProvider({ name: name("dup"), kind: "openai", baseUrl: "https://a.example.com/v1" });
    const r = await admin.mutate("providers.create", {
      name: name("dup"),
      kind: "anthropic",
      baseUrl: "https://api.anthropic.com",
    });
    expect(r.status).toBe(409);
    expect(fieldErrors(r).name?.join(" ")).toMatch(/already exists/);
  });
});

describe("credential rotation", () => {
  it("puts the new key first and keeps the old one as a fallback during the overlap", async () => {
    const p = await createProvider({
      name: name("rot"),
      kind: "openai",
      baseUrl: "https://api.example.com/v1",
      apiKey: "sk-first-key-AAAA",
    });
    const before = Date.now();
    const rotated = data<ProviderView>(
      await admin.mutate("providers.rotateCredential", {
        id: p.id,
        apiKey: "sk-second-key-BBBB",
        overlapMinutes: 60,
      }),
    );
    expect(rotated.credentials.map((c) => [c.role, c.last4])).toEqual([
      ["primary", "BBBB"],
      ["fallback", "AAAA"],
    ]);
    const until = Date.parse(rotated.credentials[1]!.overlapUntil!);
    expect(until).toBeGreaterThanOrEqual(before + 60 * 60_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 1000);

    expect(openedCredentials(await latestConfig(), p.id)).toEqual([
      { id: rotated.credentials[0]!.id, role: "primary", plaintext: "sk-second-key-BBBB" },
      { id: p.credentials[0]!.id, role: "fallback", plaintext: "sk-first-key-AAAA" },
    ]);

    // A third key: the second becomes the fallback, the first retires.
    const again = data<ProviderView>(
      await admin.mutate("providers.rotateCredential", {
        id: p.id,
        apiKey: "sk-third-key-CCCC",
        overlapMinutes: 30,
      }),
    );
    expect(again.credentials.map((c) => [c.role, c.last4])).toEqual([
      ["primary", "CCCC"],
      ["fallback", "BBBB"],
    ]);
    expect(openedCredentials(await latestConfig(), p.id).map((c) => c.plaintext)).toEqual([
      "sk-third-key-CCCC",
      "sk-second-key-BBBB",
    ]);
    const roles = await h.db.providerCredential.findMany({
      where: { providerId: p.id },
      select: { last4: true, role: true },
      orderBy: { createdAt: "asc" },
    });
    expect(roles).toEqual([
      { last4: "AAAA", role: "retired" },
      { last4: "BBBB", role: "fallback" },
      { last4: "CCCC", role: "primary" },
    ]);
    const audit = await h.db.auditLog.findMany({
      where: { targetId: p.id, action: "provider.credential_rotated" },
    });
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toMatch(
      /sk-(first|second|third)-key/,
    );
  });

  it("with an overlap of 0 retires the old key at once: only the new one is shipped", async () => {
    const p = await createProvider({
      name: name("rot0"),
      kind: "openai",
      baseUrl: "https://api.example.com/v1",
      apiKey: "sk-old-key-1111",
    });
    const rotated = data<ProviderView>(
      await admin.mutate("providers.rotateCredential", {
        id: p.id,
        apiKey: "sk-new-key-2222",
        overlapMinutes: 0,
      }),
    );
    expect(rotated.credentials.map((c) => [c.role, c.last4])).toEqual([["primary", "2222"]]);
    expect(openedCredentials(await latestConfig(), p.id)).toEqual([
      { id: rotated.credentials[0]!.id, role: "primary", plaintext: "sk-new-key-2222" },
    ]);
  });

  it("refuses an overlap outside 0..10080 minutes", async () => {
    const p = await createProvider({
      name: name("rotbad"),
      kind: "openai",
      baseUrl: "https://x.example.com/v1",
    });
    const r = await admin.mutate("providers.rotateCredential", {
      id: p.id,
      apiKey: "sk-x-12345678",
      overlapMinutes: 10081,
    });
    expect(r.status).toBe(400);
    expect(fieldErrors(r).overlapMinutes).toBeDefined();
  });

  it("publishes a snapshot without the fallback when the overlap ends", async () => {
    const p = await createProvider({
      name: name("expiry"),
      kind: "openai",
      baseUrl: "https://api.example.com/v1",
      apiKey: "sk-expiring-key-OLD1",
    });
    const rotated = data<ProviderView>(
      await admin.mutate("providers.rotateCredential", {
        id: p.id,
        apiKey: "sk-current-key-NEW1",
        overlapMinutes: 1,
      }),
    );
    const fallbackId = rotated.credentials[1]!.id;
    const head = await latestConfig();
    expect(openedCredentials(head, p.id).map((c) => c.role)).toEqual(["primary", "fallback"]);

    // Shorten the window to now + 300 ms (minutes are the UI's unit) and let the job find it.
    await h.db.providerCredential.update({
      where: { id: fallbackId },
      data: { overlapUntil: new Date(Date.now() + 300) },
    });
    // The job on the scheduler, as main.ts runs it: its run asks to run again when the window ends.
    const job = await startScheduler({
      db: h.db,
      databaseUrl: inject("databaseUrl"),
      jobs: [credentialOverlapJob({ db: h.db, bus: h.bus, vault: h.vault, intervalSeconds: 1 })],
    });
    try {
      let version = head.version;
      let config: GatewayConfig | null = null;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const r = await fetch(`${h.url}/data-plane/v1/config?after=${version}&wait=2`, { headers: dp });
        if (r.status !== 200) continue;
        const next = GatewayConfig.parse(await r.json());
        version = next.version;
        if (openedCredentials(next, p.id).length === 1) {
          config = next;
          break;
        }
      }
      expect(config, "a snapshot without the fallback").not.toBeNull();
      expect(openedCredentials(config!, p.id)).toEqual([
        { id: rotated.credentials[0]!.id, role: "primary", plaintext: "sk-current-key-NEW1" },
      ]);
    } finally {
      await job.stop();
    }
    const row = await h.db.providerCredential.findUniqueOrThrow({ where: { id: fallbackId } });
    expect(row.role).toBe("retired");
    const list = data<{ items: ProviderView[] }>(await admin.query("providers.list"));
    expect(list.items.find((x) => x.id === p.id)?.credentials.map((c) => c.role)).toEqual(["primary"]);
    expect(
      await h.db.auditLog.count({ where: { action: "provider.credential_overlap_ended" } }),
    ).toBeGreaterThan(0);
  });

  it("retires a fallback when called at the end of its window, and not before", async () => {
    const p = await createProvider({
      name: name("expiry2"),
      kind: "openai",
      baseUrl: "https://api.example.com/v1",
      apiKey: "sk-expiring-key-OLD2",
    });
    const rotated = data<ProviderView>(
      await admin.mutate("providers.rotateCredential", {
        id: p.id,
        apiKey: "sk-current-key-NEW2",
        overlapMinutes: 5,
      }),
    );
    const deps = { db: h.db, bus: h.bus, vault: h.vault };
    const until = Date.parse(rotated.credentials[1]!.overlapUntil!);
    expect(await expireCredentialOverlaps(deps, new Date(until - 1000))).toBe(0);
    expect(openedCredentials(await latestConfig(), p.id)).toHaveLength(2);
    expect(await expireCredentialOverlaps(deps, new Date(until + 1))).toBe(1);
    expect(openedCredentials(await latestConfig(), p.id).map((c) => c.plaintext)).toEqual([
      "sk-current-key-NEW2",
    ]);
  });
});

describe("testing a credential", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const s = createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }
  const test = async (id: string) => data<ProviderTestResult>(await admin.mutate("providers.test", { id }));

  it("answers ok when the provider accepts the key, and says what to fix on a 401", async () => {
    const p = await createProvider({
      name: name("test-ok"),
      kind: "openai",
      baseUrl: `${mockUrl}/v1`,
      apiKey: goodKey,
      inCluster: true,
    });
    const ok = await test(p.id);
    expect(ok).toMatchObject({ ok: true, outcome: "accepted", status: 200 });
    expect(ok.message).toMatch(/Reachable, credentials accepted/);
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);

    await admin.mutate("providers.rotateCredential", {
      id: p.id,
      apiKey: "sk-wrong-key-0000",
      overlapMinutes: 10,
    });
    const bad = await test(p.id);
    expect(bad).toMatchObject({ ok: false, outcome: "credentials_refused", status: 401 });
    expect(bad.message).toMatch(/HTTP 401: credentials refused/);
    expect(bad.message).not.toContain("sk-wrong-key-0000");

    const audit = await h.db.auditLog.findMany({ where: { targetId: p.id, action: "provider.tested" } });
    expect(audit).toHaveLength(2);
    const text = JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(text).not.toContain(goodKey);
    expect(text).not.toContain("sk-wrong-key-0000");
    expect(audit.map((a) => (a.after as { ok: boolean }).ok).sort()).toEqual([false, true]);
  });

  it("calls Anthropic's models endpoint with x-api-key and anthropic-version", async () => {
    const url = await serve((req, res) => {
      const good =
        req.url === "/v1/models" &&
        req.headers["x-api-key"] === "sk-ant-test-key-9999" &&
        req.headers["anthropic-version"] === "2023-06-01";
      res.writeHead(good ? 200 : 401, { "content-type": "application/json" });
      res.end(
        JSON.stringify(good ? { data: [{ id: "claude" }] } : { error: { message: "invalid x-api-key" } }),
      );
    });
    const p = await createProvider({
      name: name("anth"),
      kind: "anthropic",
      baseUrl: url,
      apiKey: "sk-ant-test-key-9999",
      inCluster: true,
    });
    expect(await test(p.id)).toMatchObject({ ok: true, status: 200 });
  });

  it("says the connection was refused when nothing listens", async () => {
    const closed = await serve(() => {});
    const port = new URL(closed).port;
    const s = servers.pop()!;
    await new Promise((r) => s.close(r));
    const p = await createProvider({
      name: name("test-refused"),
      kind: "openai",
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: "sk-any-key-5555",
      inCluster: true,
    });
    const r = await test(p.id);
    expect(r).toMatchObject({ ok: false, outcome: "connection_refused", status: null });
    expect(r.message).toMatch(/Connection refused/);
  });

  it("says the host does not resolve", async () => {
    const p = await createProvider({
      name: name("test-dns"),
      kind: "openai",
      baseUrl: "http://no-such-host.invalid/v1",
      apiKey: "sk-any-key-6666",
      inCluster: true,
    });
    const r = await test(p.id);
    expect(r).toMatchObject({ ok: false, outcome: "dns_failed", status: null });
    expect(r.message).toMatch(/resolve no-such-host\.invalid/);
  });

  it("gives up after 5 seconds and says so", async () => {
    const url = await serve(() => {
      // Never answers.
    });
    const p = await createProvider({
      name: name("test-slow"),
      kind: "openai",
      baseUrl: `${url}/v1`,
      inCluster: true,
    });
    const r = await test(p.id);
    expect(r).toMatchObject({ ok: false, outcome: "timeout", status: null });
    expect(r.message).toMatch(/No answer in time \(within 5 s\)/);
    expect(r.latencyMs).toBeGreaterThanOrEqual(4900);
  });
});

describe("where a provider may point", () => {
  const refusedEverywhere = [
    "http://169.254.169.254/v1",
    "https://169.254.169.254/latest/v1",
    "http://2852039166/v1",
    "http://[::ffff:169.254.169.254]/v1",
    "http://[fe80::1]:8000/v1",
    "http://100.100.100.200/v1",
    "http://[fd00:ec2::254]/v1",
    "http://metadata.google.internal/v1",
    "http://0.0.0.0:8090/v1",
  ];

  it("never at a cloud metadata or link-local address, in-cluster or not", async () => {
    for (const baseUrl of refusedEverywhere) {
      for (const inCluster of [false, true]) {
        const r = await admin.mutate("providers.create", {
          name: name("meta"),
          kind: "openai",
          baseUrl,
          inCluster,
        });
        expect(r.status, `${baseUrl} inCluster=${inCluster}`).toBe(400);
        expect(fieldErrors(r).baseUrl?.join(" "), baseUrl).toMatch(/metadata|link-local|no single host/);
      }
    }
    expect(await h.db.provider.count({ where: { name: name("meta") } })).toBe(0);
  });

  it("at loopback and private addresses, and over http://, only when marked in-cluster", async () => {
    for (const baseUrl of [
      `${mockUrl}/v1`,
      "http://[::1]:8000/v1",
      "http://localhost:8000/v1",
      "https://10.1.2.3/v1",
      "https://192.168.0.10/v1",
      "https://172.20.0.4/v1",
    ]) {
      const r = await admin.mutate("providers.create", { name: name("private"), kind: "openai", baseUrl });
      expect(r.status, baseUrl).toBe(400);
      expect(fieldErrors(r).baseUrl?.join(" "), baseUrl).toMatch(/private or loopback address.*In-cluster/);
    }
    const plain = await admin.mutate("providers.create", {
      name: name("plain"),
      kind: "openai",
      baseUrl: "http://vllm.internal:8000/v1",
    });
    expect(fieldErrors(plain).baseUrl?.join(" ")).toMatch(/Use https:\/\/.*in the clear/);
    const publicPlain = await admin.mutate("providers.create", {
      name: name("plain"),
      kind: "openai",
      baseUrl: "http://8.8.8.8/v1",
      inCluster: true,
    });
    expect(fieldErrors(publicPlain).baseUrl?.join(" ")).toMatch(/https:\/\/ for a public address/);

    const inside = await createProvider({
      name: name("inside"),
      kind: "openai",
      baseUrl: `${mockUrl}/v1`,
      inCluster: true,
    });
    expect(inside.inCluster).toBe(true);
    const listed = data<{ items: ProviderView[] }>(await admin.query("providers.list")).items;
    expect(listed.find((p) => p.id === inside.id)?.inCluster).toBe(true);
    expect(listed.find((p) => p.name === "mock-provider")?.inCluster).toBe(true);
  });

  it("refuses an edit that points an in-cluster provider at metadata or unticks in-cluster under a private URL", async () => {
    const p = await createProvider({
      name: name("edit-reach"),
      kind: "openai",
      baseUrl: `${mockUrl}/v1`,
      inCluster: true,
    });
    const meta = await admin.mutate("providers.update", {
      id: p.id,
      version: 1,
      baseUrl: "http://169.254.169.254/v1",
    });
    expect(meta.status).toBe(400);
    expect(fieldErrors(meta).baseUrl?.join(" ")).toMatch(/metadata/);
    const untick = await admin.mutate("providers.update", { id: p.id, version: 1, inCluster: false });
    expect(untick.status).toBe(400);
    expect(fieldErrors(untick).baseUrl?.join(" ")).toMatch(/In-cluster/);
    expect(await h.db.provider.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({
      baseUrl: `${mockUrl}/v1`,
      inCluster: true,
      version: 1,
    });

    // Moving it to a public https host and unticking in one save is fine.
    const out = data<ProviderView>(
      await admin.mutate("providers.update", {
        id: p.id,
        version: 1,
        baseUrl: "https://api.example.com/v1",
        inCluster: false,
      }),
    );
    expect(out).toMatchObject({ baseUrl: "https://api.example.com/v1", inCluster: false, version: 2 });
    const audit = await h.db.auditLog.findFirstOrThrow({
      where: { targetId: p.id, action: "provider.updated" },
    });
    expect(audit.before).toMatchObject({ inCluster: true });
    expect(audit.after).toMatchObject({ inCluster: false });
  });
});

describe("what the connection test connects to, and what it says", () => {
  const marker = `UPSTREAM-SAYS-${run}`;
  const servers: Server[] = [];
  const tcp: NetServer[] = [];
  let hits = 0;
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const s of tcp) await new Promise((r) => s.close(r));
  });
  async function serve(status: number): Promise<number> {
    const s = createServer((_req, res) => {
      hits++;
      res.writeHead(status, {
        "content-type": "application/json",
        "x-banner": marker,
        location: "/elsewhere",
      });
      res.end(JSON.stringify({ error: { message: `${marker}: internal detail`, type: marker } }));
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return (s.address() as AddressInfo).port;
  }
  const actor = async (): Promise<OpActor> => {
    const demo = await h.db.provider.findFirstOrThrow({ where: { name: "mock-provider" } });
    return { id: null, email: "test", ip: null, orgId: demo.orgId, role: "admin" };
  };
  /** A resolver that answers `addresses` for every name, as a DNS server under someone else's control could. */
  const resolvingTo =
    (...addresses: string[]): ResolveHost =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  const testWith = async (id: string, resolve: ResolveHost) =>
    testProviderCredential(
      { db: h.db, bus: h.bus, vault: h.vault, actor: await actor(), input: { id } },
      { resolve },
    );

  it("refuses a public-looking name that resolves to a metadata or link-local address, before connecting", async () => {
    const p = await createProvider({
      name: name("rebind"),
      kind: "openai",
      baseUrl: "https://models.example.com/v1",
      apiKey: "sk-rebind-key-0001",
    });
    for (const addresses of [["169.254.169.254"], ["93.184.215.14", "169.254.169.254"], ["fe80::1"]]) {
      const r = await testWith(p.id, resolvingTo(...addresses));
      expect(r, addresses.join()).toMatchObject({ ok: false, outcome: "address_refused", status: null });
      expect(r.message).toMatch(/models\.example\.com resolves to an address a provider may not have/);
      expect(r.message).not.toContain("169.254.169.254");
    }
    // In-cluster does not open metadata either.
    await h.db.provider.update({ where: { id: p.id }, data: { inCluster: true } });
    const inside = await testWith(p.id, resolvingTo("169.254.169.254"));
    expect(inside.outcome).toBe("address_refused");
  });

  it("refuses a name resolving to a private address unless in-cluster, and then connects to the address it checked", async () => {
    const port = await serve(200);
    // .invalid never resolves in real DNS: an answer proves the socket used the checked address.
    const baseUrl = `http://provider-${run}.invalid:${port}/v1`;
    const p = await createProvider({ name: name("pinned"), kind: "openai", baseUrl, inCluster: true });
    const before = hits;
    const ok = await testWith(p.id, resolvingTo("127.0.0.1"));
    expect(ok).toMatchObject({ ok: true, outcome: "accepted", status: 200 });
    expect(hits).toBe(before + 1);

    const outside = await createProvider({
      name: name("private-name"),
      kind: "openai",
      baseUrl: `https://provider-${run}.invalid:${port}/v1`,
    });
    const refused = await testWith(outside.id, resolvingTo("10.0.0.7"));
    expect(refused).toMatchObject({ outcome: "address_refused" });
    expect(refused.message).toMatch(/In-cluster/);

    // In-cluster over http:// to a name that turns out to be public: the key would cross the internet.
    const publicPlain = await testWith(p.id, resolvingTo("93.184.215.14"));
    expect(publicPlain.outcome).toBe("address_refused");
    expect(publicPlain.message).toMatch(/https:\/\/ for a public address/);
    expect(hits).toBe(before + 1);
  });

  it("holds a row stored before the rules to them: nothing is sent", async () => {
    const port = await serve(200);
    const p = await createProvider({
      name: name("legacy"),
      kind: "openai",
      baseUrl: `http://127.0.0.1:${port}/v1`,
      inCluster: true,
    });
    await h.db.provider.update({ where: { id: p.id }, data: { inCluster: false } });
    const before = hits;
    const r = data<ProviderTestResult>(await admin.mutate("providers.test", { id: p.id }));
    expect(r).toMatchObject({ ok: false, outcome: "address_refused", status: null, latencyMs: 0 });
    expect(r.message).toMatch(/In-cluster.*Nothing was sent/);
    expect(hits).toBe(before);
    await h.db.provider.update({ where: { id: p.id }, data: { baseUrl: "http://169.254.169.254/v1" } });
    const meta = data<ProviderTestResult>(await admin.mutate("providers.test", { id: p.id }));
    expect(meta.outcome).toBe("address_refused");
    expect(meta.message).toMatch(/metadata/);
  });

  it("answers with the status class, never with the provider's own words", async () => {
    const cases = [
      [401, "credentials_refused", /^HTTP 401: credentials refused/],
      [403, "access_denied", /^HTTP 403/],
      [404, "not_found", /^HTTP 404/],
      [429, "rate_limited", /^HTTP 429/],
      [302, "redirected", /^HTTP 3xx/],
      [418, "client_error", /^HTTP 4xx/],
      [400, "client_error", /^HTTP 4xx/],
      [500, "server_error", /^HTTP 5xx/],
      [503, "server_error", /^HTTP 5xx/],
    ] as const;
    for (const [status, outcome, message] of cases) {
      const port = await serve(status);
      const p = await createProvider({
        name: name(`class-${status}`),
        kind: "openai",
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: "sk-class-key-0000",
        inCluster: true,
      });
      const r = data<ProviderTestResult>(await admin.mutate("providers.test", { id: p.id }));
      expect(r, String(status)).toMatchObject({ ok: false, outcome, status });
      expect(r.message).toMatch(message);
      expect(JSON.stringify(r)).not.toContain(marker);
      expect(JSON.stringify(r)).not.toContain("internal detail");
    }
  });

  it("names a TLS failure and a port that does not speak HTTP without quoting what it said", async () => {
    const port = await serve(200);
    const tls = await createProvider({
      name: name("tls"),
      kind: "openai",
      baseUrl: `https://127.0.0.1:${port}/v1`,
      inCluster: true,
    });
    const t = data<ProviderTestResult>(await admin.mutate("providers.test", { id: tls.id }));
    expect(t).toMatchObject({ ok: false, outcome: "tls_failed", status: null });
    expect(t.message).toMatch(/^TLS failed/);

    // Reading on (resume) lets the server see the client's close, so it can shut down.
    const banner = createNetServer((socket) => socket.end(`SSH-2.0-${marker}\r\n`).resume());
    tcp.push(banner);
    await new Promise<void>((r) => banner.listen(0, "127.0.0.1", r));
    const sshPort = (banner.address() as AddressInfo).port;
    const ssh = await createProvider({
      name: name("ssh"),
      kind: "openai",
      baseUrl: `http://127.0.0.1:${sshPort}/v1`,
      inCluster: true,
    });
    const r = data<ProviderTestResult>(await admin.mutate("providers.test", { id: ssh.id }));
    expect(r).toMatchObject({ ok: false, status: null });
    expect(["failed", "connection_closed"]).toContain(r.outcome);
    expect(JSON.stringify(r)).not.toContain(marker);
    expect(JSON.stringify(r)).not.toContain("SSH");
  });
});

describe("update and delete", () => {
  it("updates with the version it read, and refuses a stale version", async () => {
    const p = await createProvider({
      name: name("upd"),
      kind: "openai",
      baseUrl: "https://a.example.com/v1",
    });
    const updated = data<ProviderView>(
      await admin.mutate("providers.update", {
        id: p.id,
        version: 1,
        name: name("upd2"),
        baseUrl: "https://b.example.com/v1",
      }),
    );
    expect(updated).toMatchObject({ name: name("upd2"), baseUrl: "https://b.example.com/v1", version: 2 });
    expect((await latestConfig()).providers.find((x) => x.id === p.id)?.baseUrl).toBe(
      "https://b.example.com/v1",
    );

    const stale = await admin.mutate("providers.update", { id: p.id, version: 1, name: name("upd3") });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.message).toBe(
      "This provider was changed by someone else since you opened it. Reload, then save again.",
    );
    const bad = await admin.mutate("providers.update", {
      id: p.id,
      version: 2,
      baseUrl: "https://b.example.com",
    });
    expect(bad.status).toBe(400);
    expect(fieldErrors(bad).baseUrl?.join(" ")).toMatch(/\/v1/);
  });

  it("never sends a stored key to another host: moving the base URL there takes a new key", async () => {
    const oldKey = `sk-old-host-${run}-aaaa1111`;
    const newKey = `sk-new-host-${run}-bbbb2222`;
    const p = await createProvider({
      name: name("move"),
      kind: "openai",
      baseUrl: "https://a.example.com/v1",
      apiKey: oldKey,
    });
    // Same origin, other path: the key stays.
    const samePlace = data<ProviderView>(
      await admin.mutate("providers.update", {
        id: p.id,
        version: 1,
        baseUrl: "https://a.example.com/api/v1",
      }),
    );
    expect(samePlace.credentials.map((c) => c.last4)).toEqual(["1111"]);

    for (const baseUrl of [
      "https://evil.example.net/v1",
      "https://sub.a.example.com/v1",
      "https://a.example.com:8443/v1",
    ]) {
      const refused = await admin.mutate("providers.update", { id: p.id, version: 2, baseUrl });
      expect(refused.status).toBe(400);
      expect(fieldErrors(refused).apiKey?.join(" ")).toMatch(/another host: enter the API key/);
    }
    const unchanged = await h.db.provider.findUniqueOrThrow({ where: { id: p.id } });
    expect(unchanged).toMatchObject({ baseUrl: "https://a.example.com/api/v1", version: 2 });

    const keyWithoutMove = await admin.mutate("providers.update", { id: p.id, version: 2, apiKey: newKey });
    expect(keyWithoutMove.status).toBe(400);
    expect(fieldErrors(keyWithoutMove).apiKey?.join(" ")).toMatch(/Rotate credential/);

    const moved = data<ProviderView>(
      await admin.mutate("providers.update", {
        id: p.id,
        version: 2,
        baseUrl: "https://b.example.org/v1",
        apiKey: newKey,
      }),
    );
    expect(moved.baseUrl).toBe("https://b.example.org/v1");
    expect(moved.credentials.map((c) => [c.role, c.last4])).toEqual([["primary", "2222"]]);
    // The snapshot carries only the new key to the new host, no fallback to the old one.
    expect(openedCredentials(await latestConfig(), p.id)).toEqual([
      { id: moved.credentials[0]!.id, role: "primary", plaintext: newKey },
    ]);
    const audit = await h.db.auditLog.findFirstOrThrow({
      where: { targetId: p.id, action: "provider.updated" },
      orderBy: { id: "desc" },
    });
    const auditText = JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(auditText).toContain("2222");
    expect(auditText).not.toContain(newKey);
    expect(auditText).not.toContain(oldKey);

    // A provider without a stored key moves freely.
    const bare = await createProvider({
      name: name("move-bare"),
      kind: "openai",
      baseUrl: "https://c.example.com/v1",
    });
    const bareMoved = await admin.mutate("providers.update", {
      id: bare.id,
      version: 1,
      baseUrl: "https://d.example.com/v1",
    });
    expect(bareMoved.status).toBe(200);
  });

  it("refuses to delete a provider that has deployments, naming them and the aliases that use them", async () => {
    const demo = await h.db.provider.findFirstOrThrow({ where: { name: "mock-provider" } });
    const r = await admin.mutate("providers.delete", { id: demo.id });
    expect(r.status).toBe(409);
    expect(r.body.error?.message).toMatch(
      /^Provider "mock-provider" still has \d+ deployments \(.*mock-embed, mock-gpt, mock-gpt-mini.*\), used by aliases .*mock-embed, mock-gpt, mock-gpt-mini.*: take them out of those aliases, then delete them first\.$/,
    );
    expect(await h.db.provider.count({ where: { id: demo.id } })).toBe(1);
  });

  it("deletes an unused provider and its credentials, and the snapshot drops it", async () => {
    const p = await createProvider({
      name: name("del"),
      kind: "openai",
      baseUrl: "https://a.example.com/v1",
      apiKey: "sk-delete-me-7777",
    });
    expect(data<{ id: string }>(await admin.mutate("providers.delete", { id: p.id }))).toEqual({ id: p.id });
    expect(await h.db.providerCredential.count({ where: { providerId: p.id } })).toBe(0);
    expect((await latestConfig()).providers.some((x) => x.id === p.id)).toBe(false);
    const again = await admin.mutate("providers.delete", { id: p.id });
    expect(again.status).toBe(404);
    // The Audit page still names the provider that is gone.
    const { items } = data<{ items: { action: string; targetName: string | null }[] }>(
      await admin.query("audit.list", { target: `provider:${p.id}` }),
    );
    expect(items.map((i) => [i.action, i.targetName])).toEqual([
      ["provider.deleted", name("del")],
      ["provider.created", name("del")],
    ]);
  });
});

describe("master key rotation", () => {
  const v1 = parseMasterKeys(testMasterKeys).byVersion.get(1)!;
  const v2Keys = `${testMasterKeys},2:${"cd".repeat(32)}`;
  let h2: Harness;

  afterAll(async () => {
    // Leave the shared database sealed under version 1, as the other suites' control planes expect.
    const back = createCredentialVault({
      masterKeys: { current: { version: 1, key: v1 }, byVersion: parseMasterKeys(v2Keys).byVersion },
      dataPlaneToken,
    });
    const demo = await h.db.provider.findFirstOrThrow({ where: { name: "mock-provider" } });
    await reencryptCredentials({
      db: h.db,
      bus: h.bus,
      vault: back,
      actor: { id: null, email: "test", ip: null, orgId: demo.orgId, role: "admin" },
      input: undefined,
    });
    await h2?.close();
  });

  it("re-seals every credential under the newest version, and snapshots still open", async () => {
    const p = await createProvider({
      name: name("mk"),
      kind: "openai",
      baseUrl: `${mockUrl}/v1`,
      apiKey: goodKey,
      inCluster: true,
    });
    const total = await h.db.providerCredential.count();
    expect(await h.db.providerCredential.count({ where: { keyVersion: 1 } })).toBe(total);

    h2 = await startHarness({ masterKeys: v2Keys });
    const admin2 = await new Client(h2.url).login("admin");
    const r = data<{ reencrypted: number }>(await admin2.mutate("providers.reencrypt"));
    expect(r.reencrypted).toBe(total);
    expect(await h.db.providerCredential.count({ where: { keyVersion: 2 } })).toBe(total);

    const config = await latestConfig();
    expect(openedCredentials(config, p.id).map((c) => c.plaintext)).toEqual([goodKey]);
    expect(await admin2.mutate("providers.test", { id: p.id })).toMatchObject({
      body: { result: { data: { ok: true, status: 200 } } },
    });
    // Nothing left to move on a second run.
    expect(data<{ reencrypted: number }>(await admin2.mutate("providers.reencrypt")).reencrypted).toBe(0);
    const audit = await h.db.auditLog.findMany({
      where: { action: "provider.credentials_reencrypted" },
      orderBy: { id: "desc" },
    });
    expect(audit[1]?.after).toMatchObject({ reencrypted: total, keyVersion: 2, fromVersions: [1] });
  });
});

describe("alerts from the data plane", () => {
  const post = (body: unknown, headers: Record<string, string> = dp) =>
    fetch(`${h.url}/data-plane/v1/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("refuses a missing or wrong data-plane token", async () => {
    expect((await post({}, {})).status).toBe(401);
    expect((await post({}, { authorization: "Bearer not-the-token" })).status).toBe(401);
  });

  it("answers 400 with a message for malformed JSON and missing fields", async () => {
    const broken = await post("{not json");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const partial = await post({ kind: "credential_fallback", providerId: "nope" });
    expect(partial.status).toBe(400);
    const message = ((await partial.json()) as { error: { message: string } }).error.message;
    expect(message).toMatch(/providerId/);
    expect(message).toMatch(/credentialId/);
  });

  it("notifies all admins once per provider within 10 minutes", async () => {
    const p = await createProvider({
      name: name("alert"),
      kind: "openai",
      baseUrl: "https://a.example.com/v1",
      apiKey: "sk-alerting-key-ABCD",
    });
    const alert = {
      kind: "credential_fallback",
      providerId: p.id,
      credentialId: p.credentials[0]!.id,
      message: "401 from upstream on the primary; the fallback answered",
    };
    const first = await post(alert);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ accepted: true, deduplicated: false });
    const second = await post(alert);
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ accepted: true, deduplicated: true });

    const notes = await h.db.notification.findMany({ where: { targetId: p.id } });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      userId: null,
      kind: "credential_fallback",
      severity: "warning",
      targetType: "provider",
      title: `Provider ${name("alert")}: the new credential was rejected; serving with the previous one`,
    });
    expect(notes[0]!.body).toContain("ABCD");

    // Past the 10-minute window a new notification is raised.
    const later = await recordCredentialFallbackAlert(
      h.db,
      { ...alert, kind: "credential_fallback" },
      new Date(Date.now() + 11 * 60_000),
    );
    expect(later).toMatchObject({ deduplicated: false });
    expect(await h.db.notification.count({ where: { targetId: p.id } })).toBe(2);
  });

  it("answers 404 for a provider that does not exist", async () => {
    const r = await post({
      kind: "credential_fallback",
      providerId: "00000000-0000-4000-8000-000000000000",
      credentialId: "00000000-0000-4000-8000-000000000001",
      message: "x",
    });
    expect(r.status).toBe(404);
  });
});

describe("MASTER_KEYS", () => {
  const base = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x", DATA_PLANE_TOKEN: "x".repeat(20) };

  it("is required, and a malformed value is refused naming the variable", () => {
    expect(() => parseEnv(base)).toThrow(/MASTER_KEYS is required/);
    expect(() => parseEnv({ ...base, MASTER_KEYS: "" })).toThrow(/MASTER_KEYS is required/);
    expect(() => parseEnv({ ...base, MASTER_KEYS: "1:abcd" })).toThrow(
      /MASTER_KEYS must be comma-separated version:key pairs/,
    );
    expect(() => parseEnv({ ...base, MASTER_KEYS: `1:${"a".repeat(64)},1:${"b".repeat(64)}` })).toThrow(
      /MASTER_KEYS has a bad or repeated version/,
    );
    const env = parseEnv({ ...base, MASTER_KEYS: `1:${"a".repeat(64)},3:${"b".repeat(64)}` });
    expect(env.MASTER_KEYS.current.version).toBe(3);
  });

  it("keeps the control plane from starting when it cannot open the stored credentials", async () => {
    expect(await h.db.providerCredential.count({ where: { keyVersion: 1 } })).toBeGreaterThan(0);
    const env = {
      DATABASE_URL: inject("databaseUrl"),
      DATA_PLANE_TOKEN: dataPlaneToken,
      MIGRATE_ON_START: "false",
      CONTROL_PLANE_PORT: "0",
    };
    await expect(startControlPlane({ ...env, MASTER_KEYS: `2:${"ef".repeat(32)}` })).rejects.toThrow(
      /master key version 1, which MASTER_KEYS lacks/,
    );
    await expect(startControlPlane({ ...env, MASTER_KEYS: `1:${"ef".repeat(32)}` })).rejects.toThrow(
      /does not open with master key version 1: MASTER_KEYS holds a different key/,
    );
  });

  it("keeps the control plane from starting when it is missing", () => {
    const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
    const r = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, ...base, MIGRATE_ON_START: "false" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/MASTER_KEYS is required/);
  });
});
