/**
 * Compiles a validated GatewayConfig into the lookup structures requests read: keys by hash,
 * models by name with their deployments' providers resolved and upstream URLs prebuilt. All
 * per-snapshot work happens here, once, so that a request does map lookups and nothing more.
 */
import type { GatewayConfig, ProviderKind, SnapshotCredential, SnapshotKey } from "@switchyard/core";
import { openSecret, type SealingKey, snapshotSealingKey } from "@switchyard/core/crypto/seal";
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
  /** Path of the embeddings endpoint, or null for a provider kind that has none. */
  readonly embeddingsPath: string | null;
  readonly adapter: ProviderAdapter;
  /**
   * Static upstream headers, the primary credential's included, or null when the provider cannot
   * be called (see `unavailableReason`).
   */
  readonly headers: Readonly<Record<string, string>> | null;
  /** The credential `headers` carry, or null for a provider that needs none. */
  readonly credentialId: string | null;
  /** The previous credential, tried once when the provider answers 401 to the primary one. */
  readonly fallback: CompiledCredential | null;
  readonly unavailableReason: string | null;
  /** Why a fallback credential of the snapshot was left out (it could not be opened), for the log. */
  readonly credentialWarnings: readonly string[];
};

/** A decrypted credential as the upstream headers that carry it. */
export type CompiledCredential = {
  readonly id: string;
  readonly headers: Readonly<Record<string, string>>;
};

export type CompileOptions = {
  /**
   * The data-plane token: provider credentials in a snapshot are sealed with a key derived from
   * it. Without it, providers that have credentials compile as unavailable.
   */
  dataPlaneToken?: string | null;
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
  readonly providers: ReadonlyMap<string, CompiledProvider>;
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

/** The plaintext of a sealed credential, or the reason it cannot be opened. */
function openCredential(
  credential: SnapshotCredential,
  sealingKey: SealingKey | null,
): { ok: true; secret: string } | { ok: false; reason: string } {
  if (sealingKey === null) return { ok: false, reason: "this proxy was started without a data-plane token" };
  if (credential.sealed.keyVersion !== sealingKey.version) {
    return { ok: false, reason: `it is sealed with key version ${credential.sealed.keyVersion}` };
  }
  try {
    // The credential id is the associated data: a sealed secret cannot be moved to another credential.
    return { ok: true, secret: openSecret(credential.sealed, sealingKey.key, credential.id) };
  } catch {
    return { ok: false, reason: "the data-plane token does not open it" };
  }
}

function compileProvider(
  provider: GatewayConfig["providers"][number],
  sealingKey: () => SealingKey | null,
): CompiledProvider {
  const adapter = providerAdapters[provider.kind];
  const chatUrl = new URL(adapter.buildUrl(provider.baseUrl, "chat.completions")!);
  const embeddingsUrl = adapter.buildUrl(provider.baseUrl, "embeddings");
  const embeddingsPath = embeddingsUrl === null ? null : new URL(embeddingsUrl);
  const base = {
    id: provider.id,
    name: provider.name,
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    origin: chatUrl.origin,
    chatCompletionsPath: chatUrl.pathname + chatUrl.search,
    embeddingsPath: embeddingsPath === null ? null : embeddingsPath.pathname + embeddingsPath.search,
    adapter,
  };
  const unavailable = (reason: string, warnings: string[] = []): CompiledProvider => ({
    ...base,
    headers: null,
    credentialId: null,
    fallback: null,
    unavailableReason: reason,
    credentialWarnings: warnings,
  });
  if (provider.credentials.length === 0) {
    return {
      ...base,
      headers: Object.freeze(adapter.buildHeaders(null)),
      credentialId: null,
      fallback: null,
      unavailableReason: null,
      credentialWarnings: [],
    };
  }

  // The primary credential takes traffic; with none marked primary, the first one does.
  const primary = provider.credentials.find((c) => c.role === "primary") ?? provider.credentials[0]!;
  const fallbackCredential = provider.credentials.find((c) => c.role === "fallback" && c !== primary);
  const warnings: string[] = [];
  const opened = openCredential(primary, sealingKey());
  if (!opened.ok) {
    return unavailable(
      `The credential of the upstream provider '${provider.name}' (${primary.id}) could not be decrypted ` +
        `(${opened.reason}); check that this proxy's DATA_PLANE_TOKEN matches the control plane's.`,
    );
  }
  let fallback: CompiledCredential | null = null;
  if (fallbackCredential !== undefined) {
    const openedFallback = openCredential(fallbackCredential, sealingKey());
    if (openedFallback.ok) {
      fallback = Object.freeze({
        id: fallbackCredential.id,
        headers: Object.freeze(adapter.buildHeaders(openedFallback.secret)),
      });
    } else {
      warnings.push(
        `fallback credential ${fallbackCredential.id} of provider '${provider.name}' could not be decrypted (${openedFallback.reason}); it is not used`,
      );
    }
  }
  return {
    ...base,
    headers: Object.freeze(adapter.buildHeaders(opened.secret)),
    credentialId: primary.id,
    fallback,
    unavailableReason: null,
    credentialWarnings: warnings,
  };
}

export function compileSnapshot(config: GatewayConfig, options: CompileOptions = {}): CompiledSnapshot {
  const createdAtMs = Date.parse(config.createdAt);
  // Derived once per snapshot, and only when a provider has a credential to open.
  let sealingKey: SealingKey | null | undefined;
  const sealingKeyOnce = (): SealingKey | null => {
    if (sealingKey === undefined) {
      const token = options.dataPlaneToken ?? null;
      sealingKey = token === null ? null : snapshotSealingKey(token);
    }
    return sealingKey;
  };

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
    providers.set(provider.id, compileProvider(provider, sealingKeyOnce));
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
    providers,
    models,
    allModelsListBody: JSON.stringify(modelList([...models.values()])),
    config,
  });
}

export function modelList(models: readonly CompiledModel[]): { object: "list"; data: ModelListEntry[] } {
  return { object: "list", data: models.map((m) => m.listEntry) };
}
