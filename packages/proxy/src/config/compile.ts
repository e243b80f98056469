/**
 * Compiles a validated GatewayConfig into the lookup structures requests read: keys by hash,
 * models by name with their deployments' providers resolved and upstream URLs prebuilt. All
 * per-snapshot work happens here, once, so that a request does map lookups and nothing more.
 */
import type { GatewayConfig, ProviderKind, SnapshotKey } from "@switchyard/core";
import { providerAdapters } from "../providers/index.ts";
import type { ProviderAdapter } from "../providers/types.ts";

export type CompiledKey = {
  readonly id: string;
  readonly name: string;
  readonly userId: string | null;
  readonly teamId: string | null;
  /** null: every model in the snapshot. */
  readonly allowedModels: ReadonlySet<string> | null;
  readonly rpm: number | null;
  readonly tpm: number | null;
  readonly expiresAtMs: number | null;
  readonly revokedAtMs: number | null;
};

/** One live hash of a key; a rotated key keeps its old hash until `validUntilMs`. */
export type KeyHashEntry = { readonly key: CompiledKey; readonly validUntilMs: number | null };

export type CompiledProvider = {
  readonly id: string;
  readonly name: string;
  readonly kind: ProviderKind;
  readonly baseUrl: string;
  /** `scheme://host:port` of the upstream; connections are pooled per origin. */
  readonly origin: string;
  /** Path (with the baseUrl's prefix) of the chat completions endpoint. */
  readonly chatCompletionsPath: string;
  readonly adapter: ProviderAdapter | null;
  /** Static upstream headers, or null when the provider cannot be called (see `unavailableReason`). */
  readonly headers: Readonly<Record<string, string>> | null;
  readonly unavailableReason: string | null;
};

export type CompiledDeployment = {
  readonly id: string;
  readonly upstreamModel: string;
  readonly timeouts: { readonly connectMs: number; readonly firstByteMs: number; readonly totalMs: number };
  readonly provider: CompiledProvider;
  /** Which connection pool serves it: one per origin and connect timeout. */
  readonly poolKey: string;
};

export type CompiledModel = {
  readonly name: string;
  readonly kind: "chat" | "embedding";
  readonly deployments: readonly [CompiledDeployment, ...CompiledDeployment[]];
  /** Its entry in `GET /v1/models`. */
  readonly listEntry: ModelListEntry;
};

export type ModelListEntry = { id: string; object: "model"; created: number; owned_by: string };

export type CompiledSnapshot = {
  readonly version: number;
  readonly createdAt: string;
  readonly createdAtMs: number;
  readonly keysByHash: ReadonlyMap<string, KeyHashEntry>;
  readonly models: ReadonlyMap<string, CompiledModel>;
  /** `GET /v1/models` for a key that may use every model, serialised once. */
  readonly allModelsListBody: string;
  /** The validated source, kept for persistence and for features that compile lazily. */
  readonly config: GatewayConfig;
};

/** A snapshot that passed the schema but cannot be enforced (dangling reference, duplicate). */
export class SnapshotCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotCompileError";
  }
}

function parseTime(value: string | null): number | null {
  return value === null ? null : Date.parse(value);
}

function compileKey(key: SnapshotKey): CompiledKey {
  return {
    id: key.id,
    name: key.name,
    userId: key.userId,
    teamId: key.teamId,
    allowedModels: key.allowedModels.length === 0 ? null : new Set(key.allowedModels),
    rpm: key.rpm,
    tpm: key.tpm,
    expiresAtMs: parseTime(key.expiresAt),
    revokedAtMs: parseTime(key.revokedAt),
  };
}

function compileProvider(provider: GatewayConfig["providers"][number]): CompiledProvider {
  const adapter = providerAdapters[provider.kind] ?? null;
  let unavailableReason: string | null = null;
  if (adapter === null) {
    unavailableReason = `provider kind "${provider.kind}" is not supported by this proxy version`;
  } else if (provider.credentials.length > 0) {
    // Sealed credentials need the data-plane decryption key, which a later release wires in.
    unavailableReason = "provider credential decryption not configured";
  }
  const chatUrl = new URL(
    (adapter ?? providerAdapters.openai!).buildUrl(provider.baseUrl, "chat.completions"),
  );
  return {
    id: provider.id,
    name: provider.name,
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    origin: chatUrl.origin,
    chatCompletionsPath: chatUrl.pathname + chatUrl.search,
    adapter,
    headers:
      adapter !== null && unavailableReason === null ? Object.freeze(adapter.buildHeaders(null)) : null,
    unavailableReason,
  };
}

export function compileSnapshot(config: GatewayConfig): CompiledSnapshot {
  const createdAtMs = Date.parse(config.createdAt);

  const keysByHash = new Map<string, KeyHashEntry>();
  for (const key of config.keys) {
    const compiled = compileKey(key);
    for (const { hash, validUntil } of key.hashes) {
      if (keysByHash.has(hash)) {
        throw new SnapshotCompileError(`key hash ${hash.slice(0, 12)}… appears more than once`);
      }
      keysByHash.set(hash, { key: compiled, validUntilMs: parseTime(validUntil) });
    }
  }

  const providers = new Map<string, CompiledProvider>();
  for (const provider of config.providers) {
    if (providers.has(provider.id))
      throw new SnapshotCompileError(`provider id "${provider.id}" is duplicated`);
    providers.set(provider.id, compileProvider(provider));
  }

  const created = Math.floor(createdAtMs / 1000);
  const models = new Map<string, CompiledModel>();
  for (const model of config.models) {
    if (models.has(model.name)) throw new SnapshotCompileError(`model "${model.name}" is defined twice`);
    const deployments = model.deployments.map((deployment): CompiledDeployment => {
      const provider = providers.get(deployment.providerId);
      if (provider === undefined) {
        throw new SnapshotCompileError(
          `deployment "${deployment.id}" of model "${model.name}" refers to unknown provider "${deployment.providerId}"`,
        );
      }
      return {
        id: deployment.id,
        upstreamModel: deployment.upstreamModel,
        timeouts: { ...deployment.timeouts },
        provider,
        poolKey: `${provider.origin}|${deployment.timeouts.connectMs}`,
      };
    });
    models.set(model.name, {
      name: model.name,
      kind: model.kind,
      deployments: deployments as [CompiledDeployment, ...CompiledDeployment[]],
      listEntry: { id: model.name, object: "model", created, owned_by: "switchyard" },
    });
  }

  return Object.freeze({
    version: config.version,
    createdAt: config.createdAt,
    createdAtMs,
    keysByHash,
    models,
    allModelsListBody: JSON.stringify(modelList([...models.values()])),
    config,
  });
}

export function modelList(models: readonly CompiledModel[]): { object: "list"; data: ModelListEntry[] } {
  return { object: "list", data: models.map((m) => m.listEntry) };
}
