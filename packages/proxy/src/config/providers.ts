/**
 * Compiles the snapshot's `providers` and `models` sections: providers with their credentials
 * opened into upstream headers and their URLs prebuilt, and models (aliases) by name with their
 * deployments' providers and prices resolved and their selector built. A deployment on a provider
 * the parse skipped (or one absent) is dropped, and a model left with no deployment it can route
 * to is skipped, each reported; what is left has everything a request needs.
 */
import type {
  ConfigSkip,
  ModelPricing,
  ProviderKind,
  RoutingStrategy,
  SnapshotCredential,
  SnapshotModel,
  SnapshotProvider,
} from "@switchyard/core";
import { openSecret, type SealingKey } from "@switchyard/core/crypto/seal";
import { providerAdapters } from "../providers/index.ts";
import type { ProviderAdapter } from "../providers/types.ts";
import { compileSelector, type DeploymentSelector } from "../routing/selector.ts";
import { SnapshotCompileError } from "./errors.ts";

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

export type CompiledDeployment = {
  readonly id: string;
  readonly upstreamModel: string;
  readonly timeouts: {
    readonly connectMs: number;
    readonly firstByteMs: number;
    readonly totalMs: number;
    /** Streams: from the upstream's response head to the first content chunk; null for none. */
    readonly firstTokenMs: number | null;
    /** Streams: the longest silence between chunks; null for none. */
    readonly betweenChunksMs: number | null;
  };
  /** Its model's context window in tokens, if known: failover after `context_length_exceeded`. */
  readonly contextWindow: number | null;
  /** Its share of a weighted alias's traffic (0: none). */
  readonly weight: number;
  /** What a call it answers is billed: its own price, else its model's. */
  readonly pricing: ModelPricing;
  readonly provider: CompiledProvider;
  /** Which connection pool serves it: one per origin and connect timeout. */
  readonly poolKey: string;
};

export type CompiledModel = {
  readonly name: string;
  readonly kind: "chat" | "embedding";
  readonly strategy: RoutingStrategy;
  /** In position order: the order `priority` takes them in. */
  readonly deployments: readonly [CompiledDeployment, ...CompiledDeployment[]];
  /** Picks the deployment of each request, by `strategy`. */
  readonly selector: DeploymentSelector<CompiledDeployment>;
  /** Its entry in `GET /v1/models`. */
  readonly listEntry: ModelListEntry;
};

export type ModelListEntry = { id: string; object: "model"; created: number; owned_by: string };

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
  provider: SnapshotProvider,
  adapter: ProviderAdapter,
  sealingKey: () => SealingKey | null,
): CompiledProvider {
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
  const opened = openCredential(primary, sealingKey());
  if (!opened.ok) {
    return {
      ...base,
      headers: null,
      credentialId: null,
      fallback: null,
      unavailableReason:
        `The credential of the upstream provider '${provider.name}' (${primary.id}) could not be decrypted ` +
        `(${opened.reason}); check that this proxy's DATA_PLANE_TOKEN matches the control plane's.`,
      credentialWarnings: [],
    };
  }
  const warnings: string[] = [];
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

/**
 * Providers by id; `sealingKey` is called only when a provider has a credential to open. Every
 * kind the parse lets through has an adapter: a kind this release does not know was skipped there.
 */
export function compileProviders(
  providers: readonly SnapshotProvider[],
  sealingKey: () => SealingKey | null,
): ReadonlyMap<string, CompiledProvider> {
  const compiled = new Map<string, CompiledProvider>();
  for (const provider of providers) {
    if (compiled.has(provider.id))
      throw new SnapshotCompileError(`provider id "${provider.id}" is duplicated`);
    compiled.set(provider.id, compileProvider(provider, providerAdapters[provider.kind], sealingKey));
  }
  return compiled;
}

/** Models by name, each with the deployments whose provider compiled. */
export function compileModels(
  models: readonly SnapshotModel[],
  providers: ReadonlyMap<string, CompiledProvider>,
  createdAtMs: number,
  skips: ConfigSkip[],
): ReadonlyMap<string, CompiledModel> {
  const created = Math.floor(createdAtMs / 1000);
  const compiled = new Map<string, CompiledModel>();
  for (const model of models) {
    if (compiled.has(model.name)) throw new SnapshotCompileError(`model "${model.name}" is defined twice`);
    const deployments: CompiledDeployment[] = [];
    for (const deployment of model.deployments) {
      const provider = providers.get(deployment.providerId);
      if (provider === undefined) {
        skips.push({
          section: "models",
          reason: "unknown_provider",
          item: `${model.name}/${deployment.id}`,
          detail: `deployment "${deployment.id}" is on provider "${deployment.providerId}", which this snapshot does not provide`,
        });
        continue;
      }
      deployments.push({
        id: deployment.id,
        upstreamModel: deployment.upstreamModel,
        timeouts: {
          connectMs: deployment.timeouts.connectMs,
          firstByteMs: deployment.timeouts.firstByteMs,
          totalMs: deployment.timeouts.totalMs,
          firstTokenMs: deployment.timeouts.firstTokenMs ?? null,
          betweenChunksMs: deployment.timeouts.betweenChunksMs ?? null,
        },
        contextWindow: deployment.contextWindow ?? null,
        weight: deployment.weight,
        pricing: deployment.pricing ?? model.pricing,
        provider,
        poolKey: `${provider.origin}|${deployment.timeouts.connectMs}`,
      });
    }
    const [first, ...rest] = deployments;
    if (first === undefined) {
      skips.push({
        section: "models",
        reason: "no_deployment",
        item: model.name,
        detail: "none of its deployments is on a provider this proxy can use",
      });
      continue;
    }
    const ordered: [CompiledDeployment, ...CompiledDeployment[]] = [first, ...rest];
    const selector = compileSelector(model.strategy, ordered);
    if (selector === null) {
      skips.push({
        section: "models",
        reason: "no_deployment",
        item: model.name,
        detail: "it is weighted and every deployment left has weight 0",
      });
      continue;
    }
    compiled.set(model.name, {
      name: model.name,
      kind: model.kind,
      strategy: model.strategy,
      deployments: ordered,
      selector,
      listEntry: { id: model.name, object: "model", created, owned_by: "switchyard" },
    });
  }
  return compiled;
}

export function modelList(models: readonly CompiledModel[]): { object: "list"; data: ModelListEntry[] } {
  return { object: "list", data: models.map((m) => m.listEntry) };
}
