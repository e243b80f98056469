/**
 * The state proxy and control-plane replicas must share (DESIGN.md "What is shared between
 * proxy replicas"): Redis when REDIS_URL is set, an in-process map otherwise. Both
 * implementations pass the same contract suite (store.contract.ts).
 */
export type WindowHit = {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
};

export type KvStore = {
  readonly kind: "memory" | "redis";
  /**
   * Counts one hit in a fixed window that starts at the key's first hit and lasts windowMs.
   * Atomic across replicas.
   */
  hitWindow(key: string, windowMs: number): Promise<WindowHit>;
  /** Reads a window's count without counting a hit; 0 when no window is open. */
  peekWindow(key: string): Promise<WindowHit>;
  /** Forgets a key. */
  delete(key: string): Promise<void>;
  /** Throws if the store cannot be reached (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
};
