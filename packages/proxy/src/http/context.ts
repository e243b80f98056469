/** What every route handler receives: one object per request, plus the proxy's shared parts. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CompiledSnapshot } from "../config/compile.ts";
import type { ConfigStore } from "../config/store.ts";
import type { Logger } from "../logger.ts";
import type { ProxyMetrics } from "../metrics/metrics.ts";
import type { Enforcer } from "../pipeline/types.ts";
import type { CredentialAlerts } from "../providers/credential-alerts.ts";
import type { UpstreamPools } from "../providers/pools.ts";
import type { UsageShipper } from "../usage/shipper.ts";

export type RequestContext = {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** The snapshot read once on arrival: one request sees one config, even across a swap. */
  readonly snapshot: CompiledSnapshot | null;
  /**
   * Headers every answer to this request carries, as a flat `[name, value, ...]` list
   * (x-request-id, x-switchyard-config-version; handlers append what they learn).
   */
  readonly headers: string[];
};

/** Shared by all requests of one proxy instance. */
export type ProxyDeps = {
  readonly store: ConfigStore;
  readonly metrics: ProxyMetrics;
  readonly pools: UpstreamPools;
  /** Where a fallback to a provider's previous credential is counted and reported. */
  readonly credentialAlerts: CredentialAlerts;
  readonly log: Logger;
  readonly maxBodyBytes: number;
  /** The model-call pipeline's admit/settle checks, in the order they run (rate limits first). */
  readonly enforcers: readonly Enforcer[];
  /** Where each request's UsageEvent goes (see pipeline/finish.ts). */
  readonly usage: UsageShipper;
};

export type RouteHandler = (ctx: RequestContext, deps: ProxyDeps) => void | Promise<void>;

export type Route = {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly handler: RouteHandler;
};

/** Sends a JSON body that is already serialised. */
export function sendJson(
  ctx: RequestContext,
  status: number,
  body: string,
  extraHeaders: string[] = [],
): void {
  const headers = ctx.headers.concat(extraHeaders);
  headers.push("content-type", "application/json", "content-length", String(Buffer.byteLength(body)));
  ctx.res.writeHead(status, headers);
  ctx.res.end(body);
}
