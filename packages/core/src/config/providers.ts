/**
 * The `providers` and `models` sections of the GatewayConfig snapshot: the upstream providers
 * with their sealed credentials, and the models (aliases) clients name with the deployments that
 * serve them.
 * A provider or model of a kind this release does not know is skipped as `unknown_kind`.
 */
import { z } from "zod";
import { defineSection } from "./section.ts";

export const ProviderKind = z.enum(["openai", "anthropic"]);
export type ProviderKind = z.infer<typeof ProviderKind>;

export const ModelKind = z.enum(["chat", "embedding"]);
export type ModelKind = z.infer<typeof ModelKind>;

/** A provider secret sealed for the data plane (AES-256-GCM); never plaintext in a snapshot. */
export const SealedSecret = z.object({
  keyVersion: z.number().int().min(1),
  iv: z.string().min(1),
  tag: z.string().min(1),
  ciphertext: z.string().min(1),
});
export type SealedSecret = z.infer<typeof SealedSecret>;

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

/** Exact prices: integer micro-dollars per million tokens. */
export const ModelPricing = z.object({
  inputMicrosPerMTok: z.number().int().min(0),
  outputMicrosPerMTok: z.number().int().min(0),
});
export type ModelPricing = z.infer<typeof ModelPricing>;

/**
 * One deployment an alias routes to: a provider's upstream model with its limits, timeouts and
 * price. Every field added with aliases (kind to pricing, and the stream timeouts) has a default,
 * so a snapshot from a control plane that predates them still parses.
 */
export const SnapshotDeployment = z.object({
  id: z.string().min(1),
  providerId: z.string().min(1),
  /** The model name the upstream expects. */
  upstreamModel: z.string().min(1),
  /** Absent in snapshots from before deployments had a kind of their own: the model's kind. */
  kind: ModelKind.optional(),
  /** Its share of a `weighted` alias's traffic; 0 takes none. Ignored by `priority`. */
  weight: z.number().int().min(0).default(1),
  contextWindow: z.number().int().positive().nullable().default(null),
  maxOutputTokens: z.number().int().positive().nullable().default(null),
  region: z.string().nullable().default(null),
  tags: z.array(z.string()).default([]),
  /** What a call through this deployment is billed; absent: the model's `pricing`. */
  pricing: ModelPricing.optional(),
  timeouts: z.object({
    connectMs: z.number().int().positive(),
    firstByteMs: z.number().int().positive(),
    totalMs: z.number().int().positive(),
    /** null: no limit of its own (the total applies). */
    firstTokenMs: z.number().int().positive().nullable().default(null),
    betweenChunksMs: z.number().int().positive().nullable().default(null),
  }),
});
export type SnapshotDeployment = z.infer<typeof SnapshotDeployment>;

/** How an alias picks among its deployments. */
export const RoutingStrategy = z.enum(["priority", "weighted"]);
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;

/**
 * An alias: the name clients send as `model`, with the deployments that serve it in position
 * order. A proxy that predates strategies takes `deployments[0]` and bills `pricing` (the first
 * target's price), so both stay meaningful for it.
 */
export const SnapshotModel = z.object({
  /** The name clients send as `model`. */
  name: z.string().min(1),
  kind: ModelKind,
  /**
   * Absent in older snapshots: `priority`. A strategy a newer control plane added reads as
   * `priority` too, rather than losing the alias: its first deployment still serves.
   */
  strategy: RoutingStrategy.catch("priority"),
  pricing: ModelPricing,
  deployments: z.array(SnapshotDeployment).min(1),
});
export type SnapshotModel = z.infer<typeof SnapshotModel>;

/** `unknown_kind` for an item whose `kind` is a string this release has no entry for. */
function unknownKind(kinds: readonly string[], what: string) {
  return (raw: Readonly<Record<string, unknown>>) =>
    typeof raw.kind === "string" && !kinds.includes(raw.kind)
      ? { reason: "unknown_kind" as const, detail: `${what} kind "${raw.kind}"` }
      : null;
}

export const providersSection = defineSection({
  item: SnapshotProvider,
  classify: unknownKind(ProviderKind.options, "provider"),
});

export const modelsSection = defineSection({
  item: SnapshotModel,
  classify: unknownKind(ModelKind.options, "model"),
  // A strategy of a later release serves as `priority`, and says so.
  replacedValues: (raw, model) =>
    raw.strategy !== undefined && raw.strategy !== model.strategy
      ? [`strategy ${JSON.stringify(raw.strategy)} (read as "${model.strategy}")`]
      : [],
});
