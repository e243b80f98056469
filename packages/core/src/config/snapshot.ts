/**
 * The GatewayConfig snapshot: everything a proxy enforces, compiled by the control plane after
 * each committed config write. The proxy validates every snapshot with this schema before use.
 */
import { z } from "zod";

export const ProviderKind = z.enum(["openai", "anthropic"]);
export type ProviderKind = z.infer<typeof ProviderKind>;

/** A provider secret sealed for the data plane (AES-256-GCM); never plaintext in a snapshot. */
export const SealedSecret = z.object({
  keyVersion: z.number().int().min(1),
  iv: z.string().min(1),
  tag: z.string().min(1),
  ciphertext: z.string().min(1),
});
export type SealedSecret = z.infer<typeof SealedSecret>;

export const SnapshotKey = z.object({
  id: z.string().min(1),
  /** sha256 hex of the secret; a rotated key has more than one live hash until its grace ends. */
  hashes: z
    .array(
      z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), validUntil: z.string().datetime().nullable() }),
    )
    .min(1),
  name: z.string(),
  userId: z.string().nullable(),
  teamId: z.string().nullable(),
  /** Empty means every model in the snapshot. */
  allowedModels: z.array(z.string()),
  rpm: z.number().int().positive().nullable(),
  tpm: z.number().int().positive().nullable(),
  expiresAt: z.string().datetime().nullable(),
  revokedAt: z.string().datetime().nullable(),
});
export type SnapshotKey = z.infer<typeof SnapshotKey>;

/**
 * A provider's credentials, newest first: `primary` takes traffic; `fallback` (the previous one,
 * during a rotation's overlap window) is tried when the provider answers 401 to the primary.
 */
export const SnapshotCredential = z.object({
  id: z.string().min(1),
  role: z.enum(["primary", "fallback"]),
  sealed: SealedSecret,
});
export type SnapshotCredential = z.infer<typeof SnapshotCredential>;

export const SnapshotProvider = z.object({
  id: z.string().min(1),
  name: z.string(),
  kind: ProviderKind,
  baseUrl: z.string().url(),
  /** Empty for providers that need no key (a local vLLM, the mock provider). */
  credentials: z.array(SnapshotCredential),
});
export type SnapshotProvider = z.infer<typeof SnapshotProvider>;

export const SnapshotDeployment = z.object({
  id: z.string().min(1),
  providerId: z.string().min(1),
  /** The model name the upstream expects. */
  upstreamModel: z.string().min(1),
  timeouts: z.object({
    connectMs: z.number().int().positive(),
    firstByteMs: z.number().int().positive(),
    totalMs: z.number().int().positive(),
  }),
});
export type SnapshotDeployment = z.infer<typeof SnapshotDeployment>;

/** Exact prices: integer micro-dollars per million tokens. */
export const ModelPricing = z.object({
  inputMicrosPerMTok: z.number().int().min(0),
  outputMicrosPerMTok: z.number().int().min(0),
});
export type ModelPricing = z.infer<typeof ModelPricing>;

export const SnapshotModel = z.object({
  /** The name clients send as `model`. */
  name: z.string().min(1),
  kind: z.enum(["chat", "embedding"]),
  pricing: ModelPricing,
  deployments: z.array(SnapshotDeployment).min(1),
});
export type SnapshotModel = z.infer<typeof SnapshotModel>;

export const GatewayConfig = z.object({
  version: z.number().int().min(0),
  createdAt: z.string().datetime(),
  keys: z.array(SnapshotKey),
  providers: z.array(SnapshotProvider),
  models: z.array(SnapshotModel),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

export const emptyGatewayConfig: GatewayConfig = {
  version: 0,
  createdAt: new Date(0).toISOString(),
  keys: [],
  providers: [],
  models: [],
};
