/**
 * How an alias picks the deployments that serve a request, compiled once per snapshot: `priority`
 * takes its deployments in position order, and `weighted` draws one in proportion to its weight
 * from a cumulative table built here, so a request costs one random number and a scan of at most
 * 20 numbers. Either way a request gets its candidates in the order failover tries them (the
 * weighted draw first, then the others by weight); the lists are built here, none per request.
 * Pure and generic over the deployment, so the route simulator can run this same code.
 */
import type { RoutingStrategy } from "@switchyard/core";

/** A source of uniform numbers in [0, 1), as `Math.random`; tests pass a seeded one. */
export type RandomSource = () => number;

export type DeploymentSelector<D> = {
  readonly strategy: RoutingStrategy;
  /** The deployment that serves one request. */
  pick(random: RandomSource): D;
  /**
   * The deployments one request may try, in the order failover tries them: `pick`'s first. Never
   * empty; shared between requests, so never to be changed.
   */
  candidates(random: RandomSource): readonly [D, ...D[]];
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
  if (strategy === "priority") return { strategy, pick: () => first, candidates: () => deployments };

  const drawn = deployments.filter((d) => d.weight > 0);
  if (drawn.length === 0) return null;
  if (drawn.length === 1) {
    const only = drawn[0]!;
    const list: readonly [D, ...D[]] = [only];
    return { strategy, pick: () => only, candidates: () => list };
  }
  // The fallbacks after a draw: the others by weight, heaviest first (position order on a tie).
  const byWeight = drawn
    .map((d, position) => ({ d, position }))
    .sort((a, b) => b.d.weight - a.d.weight || a.position - b.position)
    .map(({ d }) => d);
  const orders = drawn.map((d): readonly [D, ...D[]] => [d, ...byWeight.filter((other) => other !== d)]);
  // bounds[i] is the sum of the weights up to and including drawn[i]: a draw r in [0, total)
  // lands on the first i with r < bounds[i], so each deployment gets weight / total of the draws.
  const bounds = new Float64Array(drawn.length);
  let total = 0;
  for (const [i, d] of drawn.entries()) {
    total += d.weight;
    bounds[i] = total;
  }
  const last = drawn.length - 1;
  const draw = (random: RandomSource): number => {
    const r = random() * total;
    for (let i = 0; i < last; i++) if (r < bounds[i]!) return i;
    return last;
  };
  return {
    strategy,
    pick: (random) => drawn[draw(random)]!,
    candidates: (random) => orders[draw(random)]!,
  };
}
