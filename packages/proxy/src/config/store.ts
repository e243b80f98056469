/**
 * The snapshot the proxy enforces. A compiled snapshot is immutable; a reload builds a new one and
 * swaps the reference, so a request that read `current` keeps a consistent view to its end.
 */
import type { CompiledSnapshot } from "./compile.ts";

export type SnapshotSource = "control-plane" | "file";
export type SnapshotListener = (snapshot: CompiledSnapshot, source: SnapshotSource) => void;

export type SwapOptions = {
  /**
   * Take `next` although its version is not above the current one, in the same lineage: the
   * control plane said it is its head when asked for something newer than it (a restored database).
   */
  controlPlaneHead?: boolean;
};

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

  /** The lineage of the enforced snapshot, or null while none has ever been loaded. */
  get lineage(): string | null {
    return this.#current?.lineage ?? null;
  }

  /**
   * When the control plane last confirmed that what this proxy enforces is its current version:
   * a 304 to a poll for this very snapshot, or a successful swap of what it sent.
   */
  get lastSyncAtMs(): number | null {
    return this.#lastSyncAtMs;
  }

  markSynced(nowMs: number = Date.now()): void {
    this.#lastSyncAtMs = nowMs;
  }

  /**
   * Swaps `next` in when nothing is loaded, when it is of another lineage (the control plane's
   * database was recreated), when it is newer, or when `options.controlPlaneHead` says to take it
   * anyway; returns whether it did.
   */
  swap(next: CompiledSnapshot, source: SnapshotSource = "control-plane", options: SwapOptions = {}): boolean {
    const current = this.#current;
    const takes =
      current === null ||
      next.lineage !== current.lineage ||
      next.version > current.version ||
      options.controlPlaneHead === true;
    if (!takes) return false;
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
