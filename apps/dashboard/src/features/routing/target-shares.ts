/** A weighted alias's targets: each one's share of the traffic, as the alias form shows it. */

/**
 * Each weight's share of their sum in percent, rounded to one decimal; all 0 when the weights add
 * up to nothing (an alias the server refuses). A weight that is not a number counts as 0.
 */
export function targetShares(weights: readonly number[]): number[] {
  const valid = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const total = valid.reduce((sum, w) => sum + w, 0);
  if (total === 0) return valid.map(() => 0);
  return valid.map((w) => Math.round((w / total) * 1000) / 10);
}

/** "50%", "33.3%". */
export function formatShare(percent: number): string {
  return `${percent.toLocaleString("en-US", { maximumFractionDigits: 1 })}%`;
}
