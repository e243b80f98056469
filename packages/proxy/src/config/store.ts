/**
 * The snapshot the proxy enforces. A compiled snapshot is immutable; a reload builds a new one and
 * swaps the reference, so a request that read `current` keeps a consistent view to its end.
 */
import type { CompiledSnapshot } from "./compile.ts";

export type SnapshotSource = "control-plane" | "file";
export type SnapshotListener = (snapshot: CompiledSnapshot, source: SnapshotSource) => void;

export class ConfigStore {
  #current: CompiledSnapshot | null = null;
  #lastSyncAtMs: number | null = null;
  readonly #listeners = new Set<SnapshotListener>();

  /** The enforced snapshot, or null while none has ever been loaded. */
  get current(): CompiledSnapshot | null {
    return this.#current;
  }

  /** The enforced version, or null while none has ever been loaded. */
  get version(): number | null {
    return this.#current?.version ?? null;
  }

  /** When the control plane last confirmed (200 or 304) what this proxy enforces. */
  get lastSyncAtMs(): number | null {
    return this.#lastSyncAtMs;
  }

  markSynced(nowMs: number = Date.now()): void {
    this.#lastSyncAtMs = nowMs;
  }

  /** Swaps `next` in if it is newer than the current snapshot; returns whether it did. */
  swap(next: CompiledSnapshot, source: SnapshotSource = "control-plane"): boolean {
    if (this.#current !== null && next.version <= this.#current.version) return false;
    this.#current = next;
    for (const listener of this.#listeners) listener(next, source);
    return true;
  }

  /** Calls `listener` after every swap; returns the unsubscribe function. */
  onSwap(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
