/**
 * Deployments and aliases end to end over real HTTP: create, list, update and delete both; model
 * discovery against the mock provider; stale versions, in-use refusals and bad input named by
 * field; and the snapshot a proxy receives after each write.
 */
import {
  type AliasView,
  type DeploymentView,
  type DiscoveredModels,
  GatewayConfig,
  type ProviderView,
} from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  dataPlaneToken,
  fieldErrors,
  type Harness,
  startHarness,
  type TrpcResult,
} from "../../../test/harness.ts";

const run = Math.random().toString(36).slice(2, 8);
const name = (n: string) => `t-rt-${run}-${n}`;
const missingId = "00000000-0000-4000-8000-00000000dead";

let h: Harness;
let admin: Client;
let mock: MockProvider;
let provider: ProviderView;

function data<T>(r: TrpcResult): T {
  if (r.status !== 200) throw new Error(`call failed (${r.status}): ${JSON.stringify(r.body.error)}`);
  return r.body.result!.data as T;
}

async function latestConfig(): Promise<GatewayConfig> {
  const r = await fetch(`${h.url}/data-plane/v1/config?after=0`, {
    headers: { authorization: `Bearer ${dataPlaneToken}` },
  });
  expect(r.status).toBe(200);
  return GatewayConfig.parse(await r.json());
}

const createDeployment = async (input: Record<string, unknown>) =>
  data<DeploymentView>(
    await admin.mutate("routing.deployments.create", { providerId: provider.id, kind: "chat", ...input }),
  );

const createAlias = async (input: Record<string, unknown>) =>
  data<AliasView>(
    await admin.mutate("routing.aliases.create", { kind: "chat", strategy: "priority", ...input }),
  );

beforeAll(async () => {
  h = await startHarness();
  admin = await new Client(h.url).login("admin");
  mock = createMockProvider({ models: ["alpha", "beta", "gamma-embed", "<script>alert(1)</script>"] });
  const { url } = await mock.listen(0, "127.0.0.1");
  provider = data<ProviderView>(
    await admin.mutate("providers.create", {
      name: name("mock"),
      kind: "openai",
      baseUrl: `${url}/v1`,
      inCluster: true,
    }),
  );
});

afterAll(async () => {
  await h.db.apiKey.deleteMany({ where: { name: { startsWith: `t-rt-${run}-` } } });
  await h.db.gatewayModel.deleteMany({ where: { name: { startsWith: `t-rt-${run}-` } } });
  await h.db.deployment.deleteMany({ where: { providerId: provider.id } });
  await h.db.provider.deleteMany({ where: { id: provider.id } });
  await mock.close();
  await h.close();
});

describe("routing.deployments", () => {
  it("discovers the provider's models, marking those already added, and drops ids that are no model names", async () => {
    const before = data<DiscoveredModels>(
      await admin.mutate("routing.deployments.discover", { providerId: provider.id }),
    );
    expect(before).toEqual({
      outcome: "accepted",
      models: [
        { upstreamModel: "alpha", added: false },
        { upstreamModel: "beta", added: false },
        { upstreamModel: "gamma-embed", added: false },
      ],
    });
    await createDeployment({ upstreamModel: "alpha" });
    const after = data<DiscoveredModels>(
      await admin.mutate("routing.deployments.discover", { providerId: provider.id }),
    );
    expect(after.models.find((m) => m.upstreamModel === "alpha")?.added).toBe(true);
    const audit = await h.db.auditLog.findFirst({
      where: { action: "provider.models_listed", targetId: provider.id },
      orderBy: { id: "desc" },
    });
    expect(audit?.targetName).toBe(name("mock"));
  });

  it("answers a provider that cannot be reached with its outcome class and no models", async () => {
    const closed = createMockProvider();
    const { url } = await closed.listen(0, "127.0.0.1");
    await closed.close();
    const gone = data<ProviderView>(
      await admin.mutate("providers.create", {
        name: name("gone"),
        kind: "openai",
        baseUrl: `${url}/v1`,
        inCluster: true,
      }),
    );
    const r = data<DiscoveredModels>(
      await admin.mutate("routing.deployments.discover", { providerId: gone.id }),
    );
    expect(r).toEqual({ outcome: "connection_refused", models: [] });
    await h.db.provider.delete({ where: { id: gone.id } });
  });

  it("creates a deployment with defaults, lists it, and refuses a second of the same upstream model on the upstreamModel field", async () => {
    const d = await createDeployment({ upstreamModel: "beta", contextWindow: 128_000, tags: ["eu"] });
    expect(d).toMatchObject({
      providerId: provider.id,
      providerName: name("mock"),
      upstreamModel: "beta",
      kind: "chat",
      contextWindow: 128_000,
      maxOutputTokens: null,
      region: null,
      tags: ["eu"],
      timeouts: {
        connectMs: 5000,
        firstByteMs: 60_000,
        firstTokenMs: null,
        betweenChunksMs: null,
        totalMs: 600_000,
      },
      pricing: { inputMicrosPerMTok: 0, outputMicrosPerMTok: 0 },
      usedBy: [],
      version: 1,
    });
    const list = data<{ items: DeploymentView[] }>(await admin.query("routing.deployments.list"));
    expect(list.items.find((x) => x.id === d.id)).toEqual(d);
    const dup = await admin.mutate("routing.deployments.create", {
      providerId: provider.id,
      kind: "chat",
      upstreamModel: "beta",
    });
    expect(dup.status).toBe(409);
    expect(fieldErrors(dup).upstreamModel?.[0]).toMatch(/already has a deployment of "beta"/);
    const audit = await h.db.auditLog.findFirst({ where: { action: "deployment.created", targetId: d.id } });
    expect(audit?.targetName).toBe(`${name("mock")}/beta`);
  });

  it("refuses a repeated create dialog submission", async () => {
    const idempotencyKey = crypto.randomUUID();
    await createDeployment({ upstreamModel: "idem", idempotencyKey });
    const again = await admin.mutate("routing.deployments.create", {
      providerId: provider.id,
      kind: "chat",
      upstreamModel: "idem-2",
      idempotencyKey,
    });
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/^Already created/);
  });

  it("updates with the version it read; a stale version is a conflict", async () => {
    const d = await createDeployment({ upstreamModel: "upd" });
    const timeouts = {
      connectMs: 1000,
      firstByteMs: 2000,
      firstTokenMs: 3000,
      betweenChunksMs: 500,
      totalMs: 30_000,
    };
    const updated = data<DeploymentView>(
      await admin.mutate("routing.deployments.update", {
        id: d.id,
        version: 1,
        timeouts,
        pricing: { inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 },
        region: "eu-west",
      }),
    );
    expect(updated).toMatchObject({ version: 2, timeouts, region: "eu-west", upstreamModel: "upd" });
    expect(updated.pricing).toEqual({ inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 });
    const stale = await admin.mutate("routing.deployments.update", { id: d.id, version: 1, region: "us" });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.message).toMatch(/changed by someone else/);
  });

  it("refuses bad input naming the field: a timeout of 0, one over the total, a missing provider", async () => {
    const zero = await admin.mutate("routing.deployments.create", {
      providerId: provider.id,
      kind: "chat",
      upstreamModel: "zero",
      timeouts: { connectMs: 0, firstByteMs: 1000, firstTokenMs: null, betweenChunksMs: null, totalMs: 5000 },
    });
    expect(zero.status).toBe(400);
    expect(fieldErrors(zero).timeouts?.[0]).toMatch(/connect timeout must be at least 1 ms/);
    const over = await admin.mutate("routing.deployments.create", {
      providerId: provider.id,
      kind: "chat",
      upstreamModel: "over",
      timeouts: {
        connectMs: 10,
        firstByteMs: 9000,
        firstTokenMs: null,
        betweenChunksMs: null,
        totalMs: 5000,
      },
    });
    expect(fieldErrors(over).timeouts?.[0]).toMatch(/first byte timeout .* longer than the total/);
    const noProvider = await admin.mutate("routing.deployments.create", {
      providerId: missingId,
      kind: "chat",
      upstreamModel: "x",
    });
    expect(noProvider.status).toBe(400);
    expect(fieldErrors(noProvider).providerId?.[0]).toMatch(/no longer exists/);
  });
});

describe("routing.aliases", () => {
  let first: DeploymentView;
  let second: DeploymentView;
  let embed: DeploymentView;

  beforeAll(async () => {
    first = await createDeployment({
      upstreamModel: "one",
      pricing: { inputMicrosPerMTok: 100, outputMicrosPerMTok: 200 },
    });
    second = await createDeployment({ upstreamModel: "two", maxOutputTokens: 4096 });
    embed = await createDeployment({ upstreamModel: "gamma-embed", kind: "embedding" });
  });

  it("creates a weighted alias whose snapshot carries its targets in order with weights and prices", async () => {
    const alias = await createAlias({
      name: name("fast"),
      strategy: "weighted",
      targets: [
        { deploymentId: second.id, weight: 3 },
        { deploymentId: first.id, weight: 1 },
      ],
    });
    expect(alias).toMatchObject({
      name: name("fast"),
      kind: "chat",
      strategy: "weighted",
      keys: [],
      version: 1,
      targets: [
        { deploymentId: second.id, providerName: name("mock"), upstreamModel: "two", weight: 3, position: 0 },
        { deploymentId: first.id, providerName: name("mock"), upstreamModel: "one", weight: 1, position: 1 },
      ],
    });
    const config = await latestConfig();
    const model = config.models.find((m) => m.name === name("fast"));
    expect(model).toMatchObject({
      kind: "chat",
      strategy: "weighted",
      // The first target's price, for proxies that predate per-deployment prices.
      pricing: { inputMicrosPerMTok: 0, outputMicrosPerMTok: 0 },
    });
    expect(model?.deployments).toEqual([
      expect.objectContaining({
        id: second.id,
        upstreamModel: "two",
        weight: 3,
        kind: "chat",
        maxOutputTokens: 4096,
      }),
      expect.objectContaining({
        id: first.id,
        upstreamModel: "one",
        weight: 1,
        pricing: { inputMicrosPerMTok: 100, outputMicrosPerMTok: 200 },
      }),
    ]);
    const listed = data<{ items: AliasView[] }>(await admin.query("routing.aliases.list"));
    expect(listed.items.find((a) => a.id === alias.id)).toEqual(alias);
    const deployments = data<{ items: DeploymentView[] }>(await admin.query("routing.deployments.list"));
    expect(deployments.items.find((d) => d.id === first.id)?.usedBy).toEqual([name("fast")]);
    const audit = await h.db.auditLog.findFirst({ where: { action: "alias.created", targetId: alias.id } });
    expect(audit?.targetName).toBe(name("fast"));
  });

  it("refuses bad targets naming the field: all-zero weights, a duplicate, a kind mismatch, a missing deployment", async () => {
    const base = { name: name("bad"), kind: "chat", strategy: "weighted" };
    const zero = await admin.mutate("routing.aliases.create", {
      ...base,
      targets: [{ deploymentId: first.id, weight: 0 }],
    });
    expect(zero.status).toBe(400);
    expect(fieldErrors(zero).targets?.[0]).toMatch(/All weights are 0/);
    const dup = await admin.mutate("routing.aliases.create", {
      ...base,
      targets: [
        { deploymentId: first.id, weight: 1 },
        { deploymentId: first.id, weight: 1 },
      ],
    });
    expect(fieldErrors(dup).targets?.[0]).toMatch(/Deployment 2 is listed twice/);
    const kind = await admin.mutate("routing.aliases.create", {
      ...base,
      targets: [
        { deploymentId: first.id, weight: 1 },
        { deploymentId: embed.id, weight: 1 },
      ],
    });
    expect(kind.status).toBe(400);
    expect(fieldErrors(kind).targets).toEqual([
      `Deployment 2 (${name("mock")}/gamma-embed) is an embedding deployment: a chat alias needs chat deployments`,
    ]);
    const missing = await admin.mutate("routing.aliases.create", {
      ...base,
      targets: [{ deploymentId: missingId, weight: 1 }],
    });
    expect(fieldErrors(missing).targets?.[0]).toMatch(/Deployment 1 does not exist/);
    expect(await h.db.gatewayModel.count({ where: { name: name("bad") } })).toBe(0);
  });

  it("refuses an alias name that is taken", async () => {
    const r = await admin.mutate("routing.aliases.create", {
      name: "mock-gpt",
      kind: "chat",
      strategy: "priority",
      targets: [{ deploymentId: first.id, weight: 1 }],
    });
    expect(r.status).toBe(409);
    expect(fieldErrors(r).name?.[0]).toMatch(/already exists/);
  });

  it("updates targets and strategy with the version it read; a stale version is a conflict", async () => {
    const alias = await createAlias({ name: name("upd"), targets: [{ deploymentId: first.id, weight: 1 }] });
    const updated = data<AliasView>(
      await admin.mutate("routing.aliases.update", {
        id: alias.id,
        version: 1,
        name: alias.name,
        strategy: "priority",
        targets: [
          { deploymentId: second.id, weight: 1 },
          { deploymentId: first.id, weight: 1 },
        ],
      }),
    );
    expect(updated.version).toBe(2);
    expect(updated.targets.map((t) => [t.deploymentId, t.position])).toEqual([
      [second.id, 0],
      [first.id, 1],
    ]);
    const config = await latestConfig();
    expect(config.models.find((m) => m.name === alias.name)?.deployments.map((d) => d.id)).toEqual([
      second.id,
      first.id,
    ]);
    const stale = await admin.mutate("routing.aliases.update", {
      id: alias.id,
      version: 1,
      name: alias.name,
      strategy: "priority",
      targets: [{ deploymentId: first.id, weight: 1 }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error?.message).toMatch(/changed by someone else/);
  });

  it("a rename carries the keys that allowed the old name along", async () => {
    const alias = await createAlias({ name: name("old"), targets: [{ deploymentId: first.id, weight: 1 }] });
    const key = data<{ key: { id: string; version: number } }>(
      await admin.mutate("keys.create", {
        name: name("key-rename"),
        owner: await demoTeamOwner(),
        allowedModels: [alias.name],
        tags: [],
        metadata: {},
      }),
    ).key;
    const listed = data<{ items: AliasView[] }>(await admin.query("routing.aliases.list"));
    expect(listed.items.find((a) => a.id === alias.id)?.keys).toEqual([
      { id: key.id, name: name("key-rename") },
    ]);
    const renamed = data<AliasView>(
      await admin.mutate("routing.aliases.update", {
        id: alias.id,
        version: 1,
        name: name("new"),
        strategy: "priority",
        targets: [{ deploymentId: first.id, weight: 1 }],
      }),
    );
    expect(renamed.keys).toEqual([{ id: key.id, name: name("key-rename") }]);
    const row = await h.db.apiKey.findUniqueOrThrow({
      where: { id: key.id },
      select: { allowedModels: true, version: true },
    });
    expect(row.allowedModels).toEqual([name("new")]);
    expect(row.version).toBe(key.version + 1);
    const config = await latestConfig();
    expect(config.keys.find((k) => k.id === key.id)?.allowedModels).toEqual([name("new")]);
  });

  it("refuses to delete an alias live keys allow, naming them; deletes it once they are revoked", async () => {
    const alias = await createAlias({ name: name("del"), targets: [{ deploymentId: second.id, weight: 1 }] });
    const key = data<{ key: { id: string } }>(
      await admin.mutate("keys.create", {
        name: name("key-del"),
        owner: await demoTeamOwner(),
        allowedModels: [alias.name],
        tags: [],
        metadata: {},
      }),
    ).key;
    const refused = await admin.mutate("routing.aliases.delete", { id: alias.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toMatch(new RegExp(`allowed by key "${name("key-del")}"`));
    data(await admin.mutate("keys.revoke", { id: key.id }));
    data(await admin.mutate("routing.aliases.delete", { id: alias.id }));
    expect((await latestConfig()).models.some((m) => m.name === alias.name)).toBe(false);
    const gone = await admin.mutate("routing.aliases.delete", { id: alias.id });
    expect(gone.status).toBe(404);
  });

  it("refuses to delete a deployment an alias uses, naming the alias, then deletes it once unused", async () => {
    const d = await createDeployment({ upstreamModel: "in-use" });
    const alias = await createAlias({ name: name("user"), targets: [{ deploymentId: d.id, weight: 1 }] });
    const refused = await admin.mutate("routing.deployments.delete", { id: d.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toBe(
      `Deployment ${name("mock")}/in-use is used by alias ${name("user")}: take it out of that alias first.`,
    );
    const changeKind = await admin.mutate("routing.deployments.update", {
      id: d.id,
      version: 1,
      kind: "embedding",
    });
    expect(changeKind.status).toBe(409);
    expect(fieldErrors(changeKind).kind?.[0]).toMatch(new RegExp(`Used by chat alias ${name("user")}`));
    data(await admin.mutate("routing.aliases.delete", { id: alias.id }));
    data(await admin.mutate("routing.deployments.delete", { id: d.id }));
    expect(await h.db.deployment.count({ where: { id: d.id } })).toBe(0);
  });

  it("refuses to delete a provider with deployments, naming them and the aliases using them", async () => {
    await createAlias({ name: name("prov"), targets: [{ deploymentId: first.id, weight: 1 }] });
    const r = await admin.mutate("providers.delete", { id: provider.id });
    expect(r.status).toBe(409);
    expect(r.body.error?.message).toMatch(
      /still has \d+ deployments \(.*one.*two.*\), used by aliases .*t-rt-/,
    );
    expect(r.body.error?.message).toContain(name("prov"));
  });

  it("refuses routing writes to a reviewer and lets them not read either", async () => {
    const reviewer = await new Client(h.url).login("reviewer");
    expect((await reviewer.query("routing.aliases.list")).status).toBe(403);
    expect((await reviewer.mutate("routing.deployments.delete", { id: first.id })).status).toBe(403);
  });
});

async function demoTeamOwner() {
  const team = await h.db.team.findFirstOrThrow({ where: { name: "Platform" }, select: { id: true } });
  return { type: "team", id: team.id };
}
