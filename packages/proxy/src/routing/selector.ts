/**
 * How an alias picks the deployment that serves a request, compiled once per snapshot: `priority`
 * takes its deployments in position order (the first one, until failover tries the next), and
 * `weighted` draws one in proportion to its weight from a cumulative table built here, so a
 * request costs one random number and a scan of at most 20 numbers. Pure and generic over the
 * deployment, so the route simulator can run this same code.
 */
import type { RoutingStrategy } from "@switchyard/core";

/** A source of uniform numbers in [0, 1), as `Math.random`; tests pass a seeded one. */
export type RandomSource = () => number;

export type DeploymentSelector<D> = {
  readonly strategy: RoutingStrategy;
  /** The deployment that serves one request. */
  pick(random: RandomSource): D;
};

type Weighted = { readonly weight: number };

/**
 * The selector of an alias over `deployments` (in position order), or null when `weighted` has no
 * deployment of a weight above 0 left to draw: such an alias cannot serve, and is skipped.
 */
export function compileSelector<D extends Weighted>(
  strategy: RoutingStrategy,
  deployments: readonly [D, ...D[]],
): DeploymentSelector<D> | null {
  const first = deployments[0];
  if (strategy === "priority") return { strategy, pick: () => first };

  const drawn = deployments.filter((d) => d.weight > 0);
  if (drawn.length === 0) return null;
  if (drawn.length === 1) {
    const only = drawn[0]!;
    return { strategy, pick: () => only };
  }
  // bounds[i] is the sum of the weights up to and including drawn[i]: a draw r in [0, total)
  // lands on the first i with r < bounds[i], so each deployment gets weight / total of the draws.
  const bounds = new Float64Array(drawn.length);
  let total = 0;
  for (const [i, d] of drawn.entries()) {
    total += d.weight;
    bounds[i] = total;
  }
  const last = drawn.length - 1;
  return {
    strategy,
    pick(random) {
      const r = random() * total;
      for (let i = 0; i < last; i++) if (r < bounds[i]!) return drawn[i]!;
      return drawn[last]!;
    },
  };
}
