/**
 * The proxy as a library: `createProxy(options)` builds one instance (server, config store, poller,
 * upstream pools, metrics) that tests and the quick-start launcher start in-process; `main.ts` is
 * the same thing driven by environment variables.
 */
import { createServer, STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { AppError } from "@switchyard/core";
import { createStore } from "@switchyard/store";
import { createRequestListener } from "./app.ts";
import { createConfigPoller } from "./config/poller.ts";
import { createSkipReporter } from "./config/skips.ts";
import { createSnapshotWriter, readSnapshotFile } from "./config/snapshot-file.ts";
import { ConfigStore } from "./config/store.ts";
import type { ProxyDeps } from "./http/context.ts";
import { errorBody } from "./http/errors.ts";
import { rateLimitEnforcer } from "./limits/enforcer.ts";
import { createRateLimiter } from "./limits/rate-limit.ts";
import { errorFields, jsonLogger, type Logger } from "./logger.ts";
import { createProxyMetrics } from "./metrics/metrics.ts";
import { createCredentialAlerts } from "./providers/credential-alerts.ts";
import { UpstreamPools } from "./providers/pools.ts";
import { createUsageShipper, type UsageShipperOptions } from "./usage/shipper.ts";

export type ProxyOptions = {
  /** Base URL of the control plane; the config long-poll goes to `{url}/data-plane/v1/config`. */
  controlPlaneUrl: string;
  dataPlaneToken: string;
  /** Where the last good snapshot is kept across restarts; null to keep none. */
  snapshotPath?: string | null;
  /** Largest request body accepted (default 4 MiB). */
  maxBodyBytes?: number;
  logger?: Logger;
  /** Retry delays of the config poller after a failure (default 250 ms doubling to 5 s). */
  pollBackoff?: { initialMs: number; maxMs: number };
  /** A client must send its request head within this (default 10 s); slow-header sockets are cut. */
  headersTimeoutMs?: number;
  /** A client must send its whole request, body included, within this (default 30 s). */
  requestTimeoutMs?: number;
  /** Open client connections at most (default 10 000); past it new connections are refused. */
  maxConnections?: number;
  /** How long `close()` lets in-flight requests finish before cutting them (default 10 s). */
  shutdownGraceMs?: number;
  /** Least time between two credential-fallback alerts about one provider (default 60 s). */
  credentialAlertIntervalMs?: number;
  /**
   * Tokens a request that sets no `max_tokens` reserves for its completion against a tpm limit
   * (default 1024, never more than the key's limit leaves beside the prompt).
   */
  completionReserveTokens?: number;
  /** Redis shared by the replicas for rate limits; unset = in-process limits (one replica). */
  redisUrl?: string | undefined;
  /** Where undelivered usage batches wait for the control plane across restarts; null = memory only. */
  usageSpoolDir?: string | null;
  /** Tuning of usage delivery (batch size, flush interval, retry backoff), for tests. */
  usageShipping?: Pick<
    UsageShipperOptions,
    "batchSize" | "flushIntervalMs" | "maxQueuedEvents" | "backoff" | "requestTimeoutMs"
  >;
};

export type ProxyServer = {
  /** Loads the persisted snapshot, starts polling the control plane, and starts serving. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), stops polling. */
  close(): Promise<void>;
  readonly configStore: ConfigStore;
};

export const defaultMaxBodyBytes = 4 * 1024 * 1024;

/**
 * A request Node's HTTP parser rejects (bad method, broken headers, invalid chunking) never reaches
 * a handler; it still gets an OpenAI-shaped 4xx rather than Node's bodyless one.
 */
function answerMalformedRequest(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const detail = typeof err.code === "string" && /^[A-Z_]{1,64}$/.test(err.code) ? ` (${err.code})` : "";
  const body = JSON.stringify(
    errorBody(
      new AppError(
        "invalid_request",
        `The HTTP request is malformed${detail}; send a valid HTTP/1.1 request.`,
      ),
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export function createProxy(options: ProxyOptions): ProxyServer {
  const log = options.logger ?? jsonLogger;
  const store = new ConfigStore();
  const metrics = createProxyMetrics();
  const pools = new UpstreamPools();
  const credentialAlerts = createCredentialAlerts({
    controlPlaneUrl: options.controlPlaneUrl,
    dataPlaneToken: options.dataPlaneToken,
    registry: metrics.registry,
    log,
    ...(options.credentialAlertIntervalMs === undefined
      ? {}
      : { intervalMs: options.credentialAlertIntervalMs }),
  });
  const kv = createStore(options.redisUrl, { prefix: "sy:px:" });
  const usage = createUsageShipper({
    controlPlaneUrl: options.controlPlaneUrl,
    dataPlaneToken: options.dataPlaneToken,
    spoolDir: options.usageSpoolDir ?? null,
    log,
    metrics,
    ...options.usageShipping,
  });
  const snapshotPath = options.snapshotPath ?? null;
  const writer =
    snapshotPath === null
      ? null
      : createSnapshotWriter(snapshotPath, (err) =>
          log.error("cannot persist the config snapshot", { path: snapshotPath, ...errorFields(err) }),
        );
  const rateLimiter = createRateLimiter({ store: kv, metrics, log });
  const deps: ProxyDeps = {
    store,
    metrics,
    pools,
    credentialAlerts,
    log,
    maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
    enforcers: [rateLimitEnforcer(rateLimiter, { completionReserve: options.completionReserveTokens })],
    usage,
  };
  const poller = createConfigPoller({
    controlPlaneUrl: options.controlPlaneUrl,
    dataPlaneToken: options.dataPlaneToken,
    store,
    metrics,
    log,
    writer,
    ...(options.pollBackoff === undefined ? {} : { backoff: options.pollBackoff }),
  });
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const server = createServer(
    {
      // Above the usual 60 s load-balancer idle timeout, so the proxy never closes first.
      keepAliveTimeout: 65_000,
      // Node's defaults (60 s for the head, 300 s for the body, checked every 30 s) let slow clients
      // hold sockets for minutes; these are checked often enough to cut them near their deadline.
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    createRequestListener(deps),
  );
  server.maxConnections = options.maxConnections ?? 10_000;
  server.on("clientError", answerMalformedRequest);

  const skipReporter = createSkipReporter({ registry: metrics.registry, log });
  store.onSwap((snapshot, source) => {
    metrics.configVersion.set(snapshot.version);
    pools.retainOnly(snapshot);
    log.info("config snapshot loaded", { version: snapshot.version, lineage: snapshot.lineage, source });
    skipReporter.report(snapshot, source);
    for (const provider of snapshot.providers.values()) {
      for (const warning of provider.credentialWarnings) log.warn(warning, { providerId: provider.id });
      if (provider.headers === null && provider.unavailableReason !== null) {
        log.error("provider unavailable", { providerId: provider.id, reason: provider.unavailableReason });
      }
    }
  });

  async function restorePersistedSnapshot(): Promise<void> {
    if (snapshotPath === null) return;
    const read = await readSnapshotFile(snapshotPath, options.dataPlaneToken);
    if (read.ok) {
      store.swap(read.snapshot, "file");
    } else if (read.reason === "unauthenticated") {
      metrics.configReloads.inc({ result: "invalid" });
      log.error("persisted config snapshot is not authenticated; ignoring it", {
        path: snapshotPath,
        reason: read.message,
      });
    } else if (read.reason === "invalid") {
      metrics.configReloads.inc({ result: "invalid" });
      log.error("persisted config snapshot is invalid; ignoring it", {
        path: snapshotPath,
        reason: read.message,
      });
    }
  }

  let closing: Promise<void> | null = null;

  async function shutdown(): Promise<void> {
    const graceMs = options.shutdownGraceMs ?? 10_000;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    // Connections that finish their last request during the grace period are closed as they go idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const grace = setTimeout(() => server.closeAllConnections(), graceMs);
    server.closeIdleConnections();
    await Promise.all([stopped, poller.stop()]);
    clearInterval(sweep);
    clearTimeout(grace);
    await pools.close();
    await credentialAlerts.close();
    // Every request has finished: its usage event is queued; deliver or spool them all.
    await usage.close();
    // Unused rate-limit leases go back to Redis, for the other replicas.
    await rateLimiter.close();
    await kv.close();
    await writer?.flush();
  }

  return {
    configStore: store,
    async listen(port = 0, host = "127.0.0.1") {
      await restorePersistedSnapshot();
      await usage.start();
      // Limits apply from the first request when Redis is up; when it is not, the proxy serves anyway.
      if (!(await kv.ready(2000)))
        log.warn("Redis is not reachable; rate limits are not enforced until it is");
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      poller.start();
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return { url: `http://${shownHost}:${address.port}`, port: address.port };
    },
    close() {
      closing ??= server.listening
        ? shutdown()
        : Promise.all([
            poller.stop(),
            pools.close(),
            usage.close().then(() => rateLimiter.close().then(() => kv.close())),
          ]).then(() => {});
      return closing;
    },
  };
}

export { routes } from "./app.ts";
export type { CompiledSnapshot } from "./config/compile.ts";
export { compileSnapshot, SnapshotCompileError } from "./config/compile.ts";
export { ConfigStore } from "./config/store.ts";
export type { ProxyEnv } from "./env.ts";
export { parseProxyEnv } from "./env.ts";
export type { Logger } from "./logger.ts";
export { jsonLogger, silentLogger } from "./logger.ts";
