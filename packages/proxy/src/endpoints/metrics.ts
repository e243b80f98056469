/** GET /metrics: the Prometheus exposition of this proxy instance's registry. */
import type { ProxyDeps, RequestContext } from "../http/context.ts";

export async function metrics(ctx: RequestContext, deps: ProxyDeps): Promise<void> {
  const text = await deps.metrics.registry.metrics();
  ctx.headers.push("content-type", deps.metrics.registry.contentType);
  ctx.res.writeHead(200, ctx.headers);
  ctx.res.end(text);
}
