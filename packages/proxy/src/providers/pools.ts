/**
 * Keep-alive connection pools to upstreams, one per origin and connect timeout. They outlive
 * snapshots (a config change must not drop warm connections); pools no snapshot uses any more are
 * closed gracefully after a swap.
 */

import type { CompiledDeployment, CompiledSnapshot } from "../config/compile.ts";
import { Pool } from "../http/undici.ts";

export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();

  get(deployment: CompiledDeployment): Pool {
    let pool = this.#pools.get(deployment.poolKey);
    if (pool === undefined) {
      pool = new Pool(deployment.provider.origin, {
        connect: { timeout: deployment.timeouts.connectMs },
        keepAliveTimeout: 30_000,
        // Per-request headersTimeout/bodyTimeout come from the deployment; these are only defaults.
        headersTimeout: deployment.timeouts.firstByteMs,
        bodyTimeout: deployment.timeouts.totalMs,
      });
      this.#pools.set(deployment.poolKey, pool);
    }
    return pool;
  }

  /** Closes the pools that `snapshot` no longer routes to (in-flight requests finish first). */
  retainOnly(snapshot: CompiledSnapshot): void {
    const used = new Set<string>();
    for (const model of snapshot.models.values()) {
      for (const deployment of model.deployments) used.add(deployment.poolKey);
    }
    for (const [key, pool] of this.#pools) {
      if (used.has(key)) continue;
      this.#pools.delete(key);
      void pool.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => {})));
  }

  /** Drops every connection now, in-flight requests included (shutdown after the grace period). */
  async destroy(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => {})));
  }
}
