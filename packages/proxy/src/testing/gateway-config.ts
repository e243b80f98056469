/**
 * Builders of GatewayConfig snapshots for this package's tests: a valid config with sensible
 * defaults, and keys made from plaintext secrets (hashed as the control plane hashes them).
 */
import type { GatewayConfig, SnapshotKey } from "@switchyard/core";
import { hashApiKey } from "@switchyard/core/keys/secret";

type KeyInput = Partial<Omit<SnapshotKey, "hashes">> & {
  /** Plaintext secrets of the key, each with an optional end of grace (ISO). */
  secrets: { secret: string; validUntil?: string | null }[];
};

/** Models in tests are free unless a test sets a price. */
export const noPricing = { inputMicrosPerMTok: 0, outputMicrosPerMTok: 0 };

export function testKey(input: KeyInput): SnapshotKey {
  const { secrets, ...rest } = input;
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

export const defaultTimeouts = { connectMs: 1000, firstByteMs: 5000, totalMs: 30_000 };

/** The lineage test snapshots count their versions in unless a test sets another. */
export const testLineage = "5e1f0c4a-7b2d-4c9e-9a3f-0d6b8e2c1a47";

/** A config with one OpenAI-compatible provider at `baseUrl` and one chat model on it. */
export function testConfig(overrides: Partial<GatewayConfig> & { baseUrl?: string } = {}): GatewayConfig {
  const { baseUrl = "http://127.0.0.1:8090/v1", ...rest } = overrides;
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    lineage: testLineage,
    keys: [testKey({ secrets: [{ secret: "sk-sy-test-secret" }] })],
    providers: [{ id: "prov_mock", name: "mock", kind: "openai", baseUrl, credentials: [] }],
    models: [
      {
        name: "gpt-test",
        kind: "chat",
        pricing: noPricing,
        deployments: [
          { id: "dep_mock", providerId: "prov_mock", upstreamModel: "mock-gpt", timeouts: defaultTimeouts },
        ],
      },
    ],
    ...rest,
  };
}
