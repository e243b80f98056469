/**
 * The control plane's HTTP server: tRPC for the dashboard at /trpc, health and readiness,
 * Prometheus metrics, and the data-plane API the proxies call.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError } from "@switchyard/core";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { clientIp, type TrustedProxies } from "./client-ip.ts";
import { createAlertsEndpoint } from "./data-plane/alerts-endpoint.ts";
import { createConfigEndpoint } from "./data-plane/config-endpoint.ts";
import { createUsageEndpoint } from "./data-plane/usage-endpoint.ts";
import { log, withRequestId } from "./log.ts";
import { appRouter } from "./router.ts";
import { readCookie, resolveSession, sessionCookieName } from "./services/auth/sessions.ts";
import type { ConfigBus } from "./services/config/publish.ts";
import { authenticateToken, requestCredential } from "./services/tokens/authenticate.ts";
import type { Context, Services } from "./trpc.ts";
import { type BrowserOriginPolicy, refuseTrpcRequest, trpcLimits, writeTrpcRefusal } from "./trpc-http.ts";

export type ControlPlaneOptions = Services & {
  bus: ConfigBus;
  dataPlaneToken: string;
  longPollSeconds: number;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Host are believed (TRUSTED_PROXIES). */
  trustedProxies: TrustedProxies;
  /** Browser origins allowed to call /trpc besides the request's own host (DASHBOARD_ORIGINS). */
  dashboardOrigins?: readonly string[];
};

/** An incoming X-Request-Id is kept if it looks like an id (a proxy's or a client's); else a new one. */
const saneRequestId = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  const value = Array.isArray(given) ? given[0] : given;
  return value && saneRequestId.test(value) ? value : randomUUID();
}

export type ControlPlane = {
  server: Server;
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
};

export function createControlPlane(opts: ControlPlaneOptions): ControlPlane {
  const services: Services = {
    db: opts.db,
    store: opts.store,
    bus: opts.bus,
    env: opts.env,
    metrics: opts.metrics,
    vault: opts.vault,
  };

  const originPolicy: BrowserOriginPolicy = {
    trustedProxies: opts.trustedProxies,
    dashboardOrigins: opts.dashboardOrigins ?? [],
  };
  const sessionLifetime = {
    idleHours: opts.env.SESSION_TTL_HOURS,
    maxLifetimeHours: opts.env.SESSION_MAX_LIFETIME_HOURS,
  };

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    // A chunked body has no Content-Length to refuse up front: the adapter stops reading it here.
    maxBodySize: trpcLimits.maxBodyBytes,
    // Counted before tRPC too (refuseTrpcRequest), with a message that says the limit.
    maxBatchSize: trpcLimits.maxBatchCalls,
    // A throttled call (429) tells HTTP clients when to come back, as well as in error.data.
    responseMeta({ errors }) {
      const retryAfter = errors
        .map((e) => (e.cause instanceof AppError ? e.cause.retryAfterSeconds : undefined))
        .find((s) => s !== undefined);
      return retryAfter === undefined ? {} : { headers: { "retry-after": String(retryAfter) } };
    },
    async createContext({ req, res }): Promise<Context> {
      // An admin API token (Authorization: Bearer) or the session cookie.
      const credential = requestCredential(
        req.headers.authorization,
        readCookie(req.headers.cookie, sessionCookieName),
      );
      const apiToken =
        credential?.kind === "token" ? await authenticateToken(opts.db, credential.secret) : null;
      const user =
        credential?.kind === "session"
          ? await resolveSession(opts.db, credential.token, sessionLifetime)
          : null;
      const cookies: string[] = [];
      return {
        ...services,
        user,
        apiToken,
        ip: clientIp(req, opts.trustedProxies),
        userAgent: req.headers["user-agent"] ?? null,
        setCookie(cookie) {
          cookies.push(cookie);
          res.setHeader("set-cookie", cookies);
        },
        req,
        res,
      };
    },
  });

  const handleConfig = createConfigEndpoint({
    db: opts.db,
    bus: opts.bus,
    token: opts.dataPlaneToken,
    maxWaitSeconds: opts.longPollSeconds,
  });

  const handleUsage = createUsageEndpoint({ db: opts.db, token: opts.dataPlaneToken });
  const handleAlerts = createAlertsEndpoint({ db: opts.db, token: opts.dataPlaneToken });

  async function readiness(): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    const timeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("timed out")), 2000))]);
    await Promise.all([
      timeout(opts.db.$queryRaw`SELECT 1`).then(
        () => (checks.postgres = "ok"),
        (e: Error) => (checks.postgres = `down: ${e.message.split("\n")[0]}`),
      ),
      timeout(opts.store.ping()).then(
        () =>
          (checks[opts.store.kind === "redis" ? "redis" : "store"] =
            opts.store.kind === "redis" ? "ok" : "in-process"),
        (e: Error) => (checks.redis = `down: ${e.message}`),
      ),
    ]);
    return { ok: Object.values(checks).every((v) => v === "ok" || v === "in-process"), checks };
  }

  function json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://control-plane");
    try {
      if (url.pathname.startsWith("/trpc/")) {
        // Every line logged while the call is handled carries its id; the caller gets it back.
        const requestId = requestIdOf(req);
        res.setHeader("x-request-id", requestId);
        const started = performance.now();
        res.once("finish", () =>
          withRequestId(requestId, () =>
            log[res.statusCode >= 500 ? "error" : "debug"](
              {
                method: req.method,
                path: url.pathname,
                status: res.statusCode,
                durationMs: Math.round(performance.now() - started),
              },
              "trpc request",
            ),
          ),
        );
        return await withRequestId(requestId, async () => {
          const refusal = refuseTrpcRequest(req, url, originPolicy);
          if (refusal) return writeTrpcRefusal(req, res, url, refusal);
          return trpcHandler(req, res);
        });
      }
      if (req.method === "GET" && url.pathname === "/healthz") return json(res, 200, { status: "ok" });
      if (req.method === "GET" && url.pathname === "/readyz") {
        const r = await readiness();
        return json(res, r.ok ? 200 : 503, { status: r.ok ? "ready" : "not_ready", checks: r.checks });
      }
      if (req.method === "GET" && url.pathname === "/metrics") {
        const body = await opts.metrics.registry.metrics();
        res.writeHead(200, { "content-type": opts.metrics.registry.contentType });
        return res.end(body);
      }
      if (req.method === "GET" && url.pathname === "/data-plane/v1/config")
        return await handleConfig(req, res, url);
      if (req.method === "POST" && url.pathname === "/data-plane/v1/usage")
        return await handleUsage(req, res);
      if (req.method === "POST" && url.pathname === "/data-plane/v1/alerts")
        return await handleAlerts(req, res);
      json(res, 404, { error: { code: "not_found", message: `No route for ${req.method} ${url.pathname}` } });
    } catch (err) {
      log.error({ method: req.method, path: url.pathname, err }, "request failed");
      if (!res.headersSent) json(res, 500, { error: { code: "internal_error", message: "Internal error" } });
      else res.destroy();
    }
  });
  // Long-polls are held up to a minute; keep sockets from being cut by Node's defaults.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const addr = server.address() as AddressInfo;
          const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
          resolve({ url: `http://${shownHost}:${addr.port}`, port: addr.port });
        });
      });
    },
    async close() {
      await opts.bus.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
