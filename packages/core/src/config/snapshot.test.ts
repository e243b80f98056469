import { describe, expect, it } from "vitest";
import { GatewayConfig, parseGatewayConfig } from "./snapshot.ts";

const lineage = "0b9d7a52-3c1e-4f8a-9d26-7e5c4b3a2f10";
const hash = (c: string) => c.repeat(64);

function key(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    hashes: [{ hash: hash(id.at(-1)!), validUntil: null }],
    userId: null,
    teamId: null,
    allowedModels: [],
    rpm: null,
    tpm: null,
    expiresAt: null,
    revokedAt: null,
    ...extra,
  };
}

const provider = (id: string, kind: string) => ({
  id,
  name: id,
  kind,
  baseUrl: "https://upstream.example/v1",
  credentials: [],
});

const model = (name: string, providerId: string, kind = "chat") => ({
  name,
  kind,
  pricing: { inputMicrosPerMTok: 0, outputMicrosPerMTok: 0 },
  deployments: [
    {
      id: `d-${name}`,
      providerId,
      upstreamModel: name,
      timeouts: { connectMs: 1, firstByteMs: 1, totalMs: 1 },
    },
  ],
});

const envelope = { version: 7, createdAt: "2026-12-01T00:00:00.000Z", lineage };

describe("parseGatewayConfig", () => {
  it("reads what the strict schema reads, skipping nothing", () => {
    const json = {
      ...envelope,
      keys: [key("k1")],
      providers: [provider("p1", "openai")],
      models: [model("m", "p1")],
    };
    const parsed = parseGatewayConfig(json);
    expect(parsed).toEqual({ ok: true, config: GatewayConfig.parse(json), skipped: [] });
  });

  it("skips an unknown section, unknown kinds and invalid items, and ignores unknown fields, saying so", () => {
    const parsed = parseGatewayConfig({
      ...envelope,
      routing: [{ rule: "x" }],
      keys: [key("k1", { spendCap: 5 }), { id: "k2", hashes: "nope" }, key("k3")],
      providers: [
        provider("p1", "openai"),
        { ...provider("p2", "gemini"), region: "eu" },
        { ...provider("p3", "anthropic"), baseUrl: "not a url" },
      ],
      models: [
        { ...model("m1", "p1"), deployments: [{ ...model("m1", "p1").deployments[0], spillover: 3 }] },
        model("m2", "p1", "image"),
      ],
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.config.keys.map((k) => k.id)).toEqual(["k1", "k3"]);
    expect(parsed.config.keys[0]).not.toHaveProperty("spendCap");
    expect(parsed.config.providers.map((p) => p.id)).toEqual(["p1"]);
    expect(parsed.config.models.map((m) => m.name)).toEqual(["m1"]);
    expect(parsed.config).not.toHaveProperty("routing");
    expect(parsed.skipped).toEqual([
      { section: "routing", reason: "unknown_section", item: null, detail: "" },
      { section: "keys", reason: "unknown_field", item: "k1", detail: "spendCap" },
      { section: "keys", reason: "invalid_item", item: "k2", detail: expect.stringMatching(/^hashes: /) },
      { section: "providers", reason: "unknown_kind", item: "p2", detail: 'provider kind "gemini"' },
      {
        section: "providers",
        reason: "invalid_item",
        item: "p3",
        detail: expect.stringMatching(/^baseUrl: /),
      },
      { section: "models", reason: "unknown_field", item: "m1", detail: "deployments[].spillover" },
      { section: "models", reason: "unknown_kind", item: "m2", detail: 'model kind "image"' },
    ]);
  });

  it("names an item it cannot identify by its position", () => {
    const parsed = parseGatewayConfig({ ...envelope, keys: [key("k1"), 42, { name: "" }] });
    expect(parsed.ok && parsed.skipped.map((s) => s.item)).toEqual(["#1", "#2"]);
  });

  it("reads an absent section as empty", () => {
    const parsed = parseGatewayConfig({ ...envelope, keys: [key("k1")] });
    expect(parsed.ok && parsed.config).toEqual({ ...envelope, keys: [key("k1")], providers: [], models: [] });
  });

  it("rejects a snapshot whose envelope does not parse, or whose known section is not a list", () => {
    const base = { ...envelope, keys: [], providers: [], models: [] };
    for (const [broken, reason] of [
      [{ ...base, lineage: undefined }, /^lineage: /],
      [{ ...base, lineage: "db-1" }, /^lineage: /],
      [{ ...base, version: "7" }, /^version: /],
      [{ ...base, createdAt: "yesterday" }, /^createdAt: /],
      [{ ...base, keys: { k1: key("k1") } }, /^keys: the section must be a list/],
    ] as const) {
      const parsed = parseGatewayConfig(broken);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.reason).toMatch(reason);
    }
    expect(parseGatewayConfig([base])).toMatchObject({
      ok: false,
      claimed: { version: null, lineage: null },
    });
    expect(parseGatewayConfig({ ...base, createdAt: 1 })).toMatchObject({
      ok: false,
      claimed: { version: 7, lineage },
    });
  });

  it("reads a model from before strategies with the defaults of every new field", () => {
    const parsed = parseGatewayConfig({
      ...envelope,
      providers: [provider("p1", "openai")],
      models: [model("m", "p1")],
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.config.models[0]).toMatchObject({ strategy: "priority" });
    expect(parsed.config.models[0]?.deployments[0]).toEqual({
      id: "d-m",
      providerId: "p1",
      upstreamModel: "m",
      weight: 1,
      contextWindow: null,
      maxOutputTokens: null,
      region: null,
      tags: [],
      timeouts: { connectMs: 1, firstByteMs: 1, totalMs: 1, firstTokenMs: null, betweenChunksMs: null },
    });
  });

  it("reads the fields of aliases and deployments", () => {
    const deployment = {
      ...model("m", "p1").deployments[0],
      kind: "chat",
      weight: 0,
      contextWindow: 128_000,
      maxOutputTokens: 4096,
      region: "eu-west-1",
      tags: ["eu"],
      pricing: { inputMicrosPerMTok: 150_000, outputMicrosPerMTok: 600_000 },
      timeouts: { connectMs: 1, firstByteMs: 1, totalMs: 1, firstTokenMs: 2, betweenChunksMs: 3 },
    };
    const parsed = parseGatewayConfig({
      ...envelope,
      providers: [provider("p1", "openai")],
      models: [{ ...model("m", "p1"), strategy: "weighted", deployments: [deployment] }],
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.config.models[0]).toMatchObject({ strategy: "weighted", deployments: [deployment] });
  });

  it("reads a strategy it does not know as priority, keeping the model", () => {
    const parsed = parseGatewayConfig({
      ...envelope,
      providers: [provider("p1", "openai")],
      models: [
        { ...model("m1", "p1"), strategy: "lowest-latency" },
        { ...model("m2", "p1"), strategy: 7 },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.config.models.map((m) => [m.name, m.strategy])).toEqual([
      ["m1", "priority"],
      ["m2", "priority"],
    ]);
    expect(parsed.skipped).toEqual([
      {
        section: "models",
        reason: "unknown_field",
        item: "m1",
        detail: 'strategy "lowest-latency" (read as "priority")',
      },
      { section: "models", reason: "unknown_field", item: "m2", detail: 'strategy 7 (read as "priority")' },
    ]);
  });

  it("skips a model whose deployment has a negative weight or a bad new field, as any invalid item", () => {
    const withDeployment = (name: string, extra: Record<string, unknown>) => ({
      ...model(name, "p1"),
      deployments: [{ ...model(name, "p1").deployments[0], ...extra }],
    });
    const parsed = parseGatewayConfig({
      ...envelope,
      providers: [provider("p1", "openai")],
      models: [
        withDeployment("m1", { weight: -1 }),
        withDeployment("m2", { weight: 1.5 }),
        withDeployment("m3", { pricing: { inputMicrosPerMTok: -1, outputMicrosPerMTok: 0 } }),
        withDeployment("m4", { contextWindow: 0 }),
        model("m5", "p1"),
      ],
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.config.models.map((m) => m.name)).toEqual(["m5"]);
    expect(parsed.skipped).toEqual([
      {
        section: "models",
        reason: "invalid_item",
        item: "m1",
        detail: expect.stringMatching(/^deployments\.0\.weight: /),
      },
      {
        section: "models",
        reason: "invalid_item",
        item: "m2",
        detail: expect.stringMatching(/^deployments\.0\.weight: /),
      },
      {
        section: "models",
        reason: "invalid_item",
        item: "m3",
        detail: expect.stringMatching(/^deployments\.0\.pricing\.inputMicrosPerMTok: /),
      },
      {
        section: "models",
        reason: "invalid_item",
        item: "m4",
        detail: expect.stringMatching(/^deployments\.0\.contextWindow: /),
      },
    ]);
  });
});
