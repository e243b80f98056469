/**
 * GET /healthz: which config version this proxy enforces and how old it is. 503 until a snapshot
 * has been loaded (from the control plane or the persisted file), so a load balancer waits for it.
 */
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { sendJson } from "../http/context.ts";

export function healthz(ctx: RequestContext, deps: ProxyDeps): void {
  const snapshot = ctx.snapshot;
  if (snapshot === null) {
    sendJson(
      ctx,
      503,
      JSON.stringify({
        status: "no_config",
        configVersion: null,
        configLineage: null,
        configAgeSeconds: null,
        configSyncedSecondsAgo: null,
      }),
    );
    return;
  }
  const now = Date.now();
  const lastSync = deps.store.lastSyncAtMs;
  sendJson(
    ctx,
    200,
    JSON.stringify({
      status: "ok",
      configVersion: snapshot.version,
      /** The control-plane database the version counts in (see config/poller.ts). */
      configLineage: snapshot.lineage,
      /** Seconds since the control plane compiled the enforced snapshot. */
      configAgeSeconds: Math.max(0, Math.floor((now - snapshot.createdAtMs) / 1000)),
      /**
       * Seconds since the control plane last confirmed that the enforced snapshot is its current
       * one (a 304 for it, or its swap); null while it never has (a snapshot from the file only).
       */
      configSyncedSecondsAgo: lastSync === null ? null : Math.floor((now - lastSync) / 1000),
    }),
  );
}
