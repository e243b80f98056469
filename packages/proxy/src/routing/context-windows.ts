/**
 * Context windows in failover: after a 400 `context_length_exceeded`, and up front when the
 * proxy's own count of the prompt says a deployment's window is too small.
 */

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
