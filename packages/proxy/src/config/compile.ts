/**
 * Compiles a GatewayConfig into the lookup structures requests read, one section compiler per
 * domain (keys.ts; providers.ts for providers and models), assembled here. All per-snapshot work
 * happens once, so that a request does map lookups and nothing more. A new section gets its own
 * compiler file beside these and one call in `compileSnapshot` (see core's config/snapshot.ts).
 *
 * `loadSnapshot` is the way in for a snapshot as received (the long-poll, the persisted file): it
 * parses tolerantly, skipping what this release does not understand, then compiles.
 */
import { type ConfigSkip, type GatewayConfig, parseGatewayConfig } from "@switchyard/core";
import { type SealingKey, snapshotSealingKey } from "@switchyard/core/crypto/seal";
import { compileKeys, type KeyHashEntry } from "./keys.ts";
import {
  type CompiledModel,
  type CompiledProvider,
  compileModels,
  compileProviders,
  modelList,
} from "./providers.ts";

export { SnapshotCompileError } from "./errors.ts";
export type { CompiledKey, KeyHashEntry } from "./keys.ts";
export type {
  CompiledCredential,
  CompiledDeployment,
  CompiledModel,
  CompiledProvider,
  ModelListEntry,
} from "./providers.ts";
export { modelList } from "./providers.ts";

export type CompileOptions = {
  /**
   * The data-plane token: provider credentials in a snapshot are sealed with a key derived from
   * it. Without it, providers that have credentials compile as unavailable.
   */
  dataPlaneToken?: string | null;
  /** What the parse already skipped, reported with what compiling skips. */
  skipped?: readonly ConfigSkip[];
};

export type CompiledSnapshot = {
  readonly version: number;
  readonly lineage: string;
  readonly createdAt: string;
  readonly createdAtMs: number;
  readonly keysByHash: ReadonlyMap<string, KeyHashEntry>;
  readonly providers: ReadonlyMap<string, CompiledProvider>;
  readonly models: ReadonlyMap<string, CompiledModel>;
  /** `GET /v1/models` for a key that may use every model, serialised once. */
  readonly allModelsListBody: string;
  /** What of the snapshot as sent is not enforced, and why (see core's config/section.ts). */
  readonly skipped: readonly ConfigSkip[];
  /** The validated source, kept for features that compile lazily. */
  readonly config: GatewayConfig;
};

export function compileSnapshot(config: GatewayConfig, options: CompileOptions = {}): CompiledSnapshot {
  const createdAtMs = Date.parse(config.createdAt);
  const skipped = [...(options.skipped ?? [])];
  // Derived once per snapshot, and only when a provider has a credential to open.
  let sealingKey: SealingKey | null | undefined;
  const sealingKeyOnce = (): SealingKey | null => {
    if (sealingKey === undefined) {
      const token = options.dataPlaneToken ?? null;
      sealingKey = token === null ? null : snapshotSealingKey(token);
    }
    return sealingKey;
  };

  const keysByHash = compileKeys(config.keys);
  const providers = compileProviders(config.providers, sealingKeyOnce);
  const models = compileModels(config.models, providers, createdAtMs, skipped);

  return Object.freeze({
    version: config.version,
    lineage: config.lineage,
    createdAt: config.createdAt,
    createdAtMs,
    keysByHash,
    providers,
    models,
    allModelsListBody: JSON.stringify(modelList([...models.values()])),
    skipped,
    config,
  });
}

export type LoadedSnapshot =
  | { ok: true; snapshot: CompiledSnapshot }
  | {
      ok: false;
      reason: string;
      /** The version and lineage the rejected snapshot claims, where they can be read. */
      claimed: { version: number | null; lineage: string | null };
    };

/** Parses (tolerantly) and compiles a snapshot as received; never throws. */
export function loadSnapshot(json: unknown, options: Omit<CompileOptions, "skipped"> = {}): LoadedSnapshot {
  const parsed = parseGatewayConfig(json);
  if (!parsed.ok) return parsed;
  try {
    return { ok: true, snapshot: compileSnapshot(parsed.config, { ...options, skipped: parsed.skipped }) };
  } catch (err) {
    // A SnapshotCompileError (a duplicate), or a provider URL an adapter cannot build on.
    return {
      ok: false,
      reason: err instanceof Error ? err.message : String(err),
      claimed: { version: parsed.config.version, lineage: parsed.config.lineage },
    };
  }
}
