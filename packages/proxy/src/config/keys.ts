/**
 * Compiles the snapshot's `keys` section into the map requests authenticate against: every live
 * hash of every key, pointing at one shared CompiledKey. A key the snapshot parse skipped is not
 * in it, so it is refused.
 */
import type { SnapshotKey } from "@switchyard/core";
import { SnapshotCompileError } from "./errors.ts";

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

export function parseTime(value: string | null): number | null {
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

/** Keys by hash. A hash that two keys share makes the snapshot ambiguous: it is rejected. */
export function compileKeys(keys: readonly SnapshotKey[]): ReadonlyMap<string, KeyHashEntry> {
  const keysByHash = new Map<string, KeyHashEntry>();
  for (const key of keys) {
    const compiled = compileKey(key);
    for (const { hash, validUntil } of key.hashes) {
      if (keysByHash.has(hash)) {
        throw new SnapshotCompileError(`key hash ${hash.slice(0, 12)}… appears more than once`);
      }
      keysByHash.set(hash, { key: compiled, validUntilMs: parseTime(validUntil) });
    }
  }
  return keysByHash;
}
