/**
 * The context window of each deployment of an alias, for failover after a 400
 * `context_length_exceeded`. The compiled deployment does not carry it, so it is read from the
 * snapshot's validated source, once per snapshot and alias, on the first request that needs it.
 */
import type { CompiledSnapshot } from "../config/compile.ts";

const bySnapshot = new WeakMap<CompiledSnapshot, Map<string, ReadonlyMap<string, number | null>>>();
const none: ReadonlyMap<string, number | null> = new Map();

/** Deployment id -> context window (null: unknown) of the alias `modelName` in `snapshot`. */
export function contextWindows(
  snapshot: CompiledSnapshot,
  modelName: string,
): ReadonlyMap<string, number | null> {
  let models = bySnapshot.get(snapshot);
  if (models === undefined) {
    models = new Map();
    bySnapshot.set(snapshot, models);
  }
  let windows = models.get(modelName);
  if (windows === undefined) {
    const model = snapshot.config.models.find((m) => m.name === modelName);
    windows =
      model === undefined ? none : new Map(model.deployments.map((d) => [d.id, d.contextWindow ?? null]));
    models.set(modelName, windows);
  }
  return windows;
}

/**
 * `candidates` with those whose context window is known to be smaller than the prompt (as the proxy
 * counted it) moved last, in order: they would answer `context_length_exceeded`, but the count is an
 * estimate, so they stay as a last resort. The list itself when every one fits (no allocation).
 */
export function preferFitting<D>(
  candidates: readonly [D, ...D[]],
  promptTokens: number,
  contextWindow: (deployment: D) => number | null,
): readonly [D, ...D[]] {
  const tooSmall = (d: D) => {
    const window = contextWindow(d);
    return window !== null && window < promptTokens;
  };
  if (!candidates.some(tooSmall)) return candidates;
  const fitting = candidates.filter((d) => !tooSmall(d));
  return [...fitting, ...candidates.filter(tooSmall)] as unknown as readonly [D, ...D[]];
}
