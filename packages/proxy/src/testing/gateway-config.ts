/**
 * The one way tests build a GatewayConfig snapshot: `gatewayConfig({ keys, providers, models })`
 * with builders for each item that fill in what a test does not care about. Left out, a section
 * holds one working item (a key with the secret `sk-sy-test-secret`, an OpenAI-compatible provider
 * `prov_mock`, a chat model `gpt-test` served by it), so `gatewayConfig()` is a snapshot a proxy
 * serves; `keys: []` empties a section. Keys are made from plaintext secrets, hashed as the control
 * plane hashes them.
 */
import type {
  GatewayConfig,
  SnapshotDeployment,
  SnapshotKey,
  SnapshotModel,
  SnapshotProvider,
} from "@switchyard/core";
import { hashApiKey } from "@switchyard/core/keys/secret";

/** Models in tests are free unless a test sets a price. */
export const noPricing = { inputMicrosPerMTok: 0, outputMicrosPerMTok: 0 };

export const defaultTimeouts = {
  connectMs: 1000,
  firstByteMs: 5000,
  totalMs: 30_000,
  firstTokenMs: null,
  betweenChunksMs: null,
} satisfies SnapshotDeployment["timeouts"];

/** The lineage test snapshots count their versions in unless a test sets another. */
export const testLineage = "5e1f0c4a-7b2d-4c9e-9a3f-0d6b8e2c1a47";

/** The secret of the default key. */
export const testSecret = "sk-sy-test-secret";

type KeyInput = Partial<Omit<SnapshotKey, "hashes">> & {
  /** Plaintext secrets of the key, each with an optional end of grace (ISO); one by default. */
  secrets?: { secret: string; validUntil?: string | null }[];
};

/** A key with no limits, no owner and no expiry, accepting `testSecret` unless given `secrets`. */
export function testKey(input: KeyInput = {}): SnapshotKey {
  const { secrets = [{ secret: testSecret }], ...rest } = input;
  return {
    id: "key_1",
    name: "test key",
    userId: null,
    teamId: null,
    allowedModels: [],
    rpm: null,
    tpm: null,
    expiresAt: null,
    revokedAt: null,
    ...rest,
    hashes: secrets.map(({ secret, validUntil }) => ({
      hash: hashApiKey(secret),
      validUntil: validUntil ?? null,
    })),
  };
}

/** An OpenAI-compatible provider with no credentials (the mock provider needs none). */
export function testProvider(overrides: Partial<SnapshotProvider> = {}): SnapshotProvider {
  return {
    id: "prov_mock",
    name: "mock",
    kind: "openai",
    baseUrl: "http://127.0.0.1:8090/v1",
    credentials: [],
    ...overrides,
  };
}

type DeploymentInput = Partial<Omit<SnapshotDeployment, "timeouts">> & {
  /** The stream timeouts (first token, between chunks) are none unless given. */
  timeouts?: Omit<SnapshotDeployment["timeouts"], "firstTokenMs" | "betweenChunksMs"> &
    Partial<SnapshotDeployment["timeouts"]>;
};

/**
 * A deployment of `mock-gpt` on `prov_mock` with the default timeouts, weight 1 and no price of
 * its own (its model's applies).
 */
export function testDeployment(overrides: DeploymentInput = {}): SnapshotDeployment {
  const { timeouts, ...rest } = overrides;
  return {
    id: "dep_mock",
    providerId: "prov_mock",
    upstreamModel: "mock-gpt",
    weight: 1,
    contextWindow: null,
    maxOutputTokens: null,
    region: null,
    tags: [],
    ...rest,
    timeouts: { ...defaultTimeouts, ...timeouts },
  };
}

type ModelInput = Partial<Omit<SnapshotModel, "deployments">> & {
  /** Each filled in by `testDeployment`; one default deployment when left out. */
  deployments?: DeploymentInput[];
};

/** A free chat model `gpt-test` of strategy `priority` served by one deployment (`testDeployment`). */
export function testModel(input: ModelInput = {}): SnapshotModel {
  const { deployments = [{}], ...rest } = input;
  return {
    name: "gpt-test",
    kind: "chat",
    strategy: "priority",
    pricing: noPricing,
    ...rest,
    deployments: deployments.map((d) => testDeployment(d)),
  };
}

type ConfigInput = Partial<GatewayConfig> & {
  /** The base URL of the default provider, when `providers` is left out. */
  baseUrl?: string;
};

/** A snapshot (version 1 of `testLineage`, created now) of the given sections. */
export function gatewayConfig(input: ConfigInput = {}): GatewayConfig {
  const { baseUrl, ...rest } = input;
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    lineage: testLineage,
    keys: [testKey()],
    providers: [testProvider(baseUrl === undefined ? {} : { baseUrl })],
    models: [testModel()],
    ...rest,
  };
}
