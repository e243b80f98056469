/**
 * The proxy's HTTP surface: every route it serves is listed in `routes`, and `createRequestListener`
 * dispatches to them. No framework: a request costs one map lookup before its handler runs.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { AppError } from "@switchyard/core";
import { chatCompletions } from "./endpoints/chat-completions.ts";
import { embeddings } from "./endpoints/embeddings.ts";
import { healthz } from "./endpoints/health.ts";
import { metrics } from "./endpoints/metrics.ts";
import { listModels } from "./endpoints/models.ts";
import type { ProxyDeps, RequestContext, Route, RouteHandler } from "./http/context.ts";
import { sendError, toAppError } from "./http/errors.ts";
import { errorFields } from "./logger.ts";

export const routes = [
  { method: "GET", path: "/healthz", handler: healthz },
  { method: "GET", path: "/metrics", handler: metrics },
  { method: "POST", path: "/v1/chat/completions", handler: chatCompletions },
  { method: "POST", path: "/v1/embeddings", handler: embeddings },
  { method: "GET", path: "/v1/models", handler: listModels },
] as const satisfies readonly Route[];

/** A client's own x-request-id is echoed only if it is a plain token (no header injection, no junk). */
const saneRequestId = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/**
 * The client's own request id, if it sent a usable one. It is echoed as `x-client-request-id` but is
 * never the proxy's request id: that one keys usage events (idempotent on it), so a client must not
 * be able to choose it and have its requests counted as duplicates.
 */
function clientRequestIdOf(req: IncomingMessage): string | null {
  const sent = req.headers["x-request-id"];
  return typeof sent === "string" && saneRequestId.test(sent) ? sent : null;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/** The server's request handler over `routeTable` (every route of the proxy unless a test says otherwise). */
export function createRequestListener(
  deps: ProxyDeps,
  routeTable: readonly Route[] = routes,
): RequestListener {
  const table = new Map<string, RouteHandler>();
  for (const route of routeTable) table.set(`${route.method} ${route.path}`, route.handler);

  function unexpected(ctx: RequestContext, err: unknown): void {
    deps.log.error("request handler failed unexpectedly", { requestId: ctx.requestId, ...errorFields(err) });
    if (ctx.res.headersSent) {
      ctx.res.destroy();
      return;
    }
    sendError(ctx.res, toAppError(err), ctx.headers);
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const snapshot = deps.store.current;
    const headers = ["x-request-id", requestId];
    const clientRequestId = clientRequestIdOf(req);
    if (clientRequestId !== null) headers.push("x-client-request-id", clientRequestId);
    if (snapshot !== null) headers.push("x-switchyard-config-version", String(snapshot.version));
    const ctx: RequestContext = { req, res, requestId, startedAt: performance.now(), snapshot, headers };

    const path = pathOf(req.url);
    const handler = table.get(`${req.method} ${path}`);
    if (handler === undefined) {
      const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
      sendError(res, new AppError("not_found", `Unknown route: ${req.method} ${shown}.`), headers);
      return;
    }
    try {
      const pending = handler(ctx, deps);
      if (pending !== undefined) pending.catch((err: unknown) => unexpected(ctx, err));
    } catch (err) {
      unexpected(ctx, err);
    }
  };
}
