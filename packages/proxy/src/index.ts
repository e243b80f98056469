/**
 * The proxy as a library: `createProxy(options)` builds one instance (server, config store, poller,
 * upstream pools, metrics) that tests and the quick-start launcher start in-process; `main.ts` is
 * the same thing driven by environment variables.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestListener } from "./app.ts";
import { compileSnapshot } from "./config/compile.ts";
import { createConfigPoller } from "./config/poller.ts";
import { createSnapshotWriter, readSnapshotFile } from "./config/snapshot-file.ts";
import { ConfigStore } from "./config/store.ts";
import type { ProxyDeps } from "./http/context.ts";
import { errorFields, jsonLogger, type Logger } from "./logger.ts";
import { createProxyMetrics } from "./metrics/metrics.ts";
import { UpstreamPools } from "./providers/pools.ts";

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
  /** How long `close()` lets in-flight requests finish before cutting them (default 10 s). */
  shutdownGraceMs?: number;
};

export type ProxyServer = {
  /** Loads the persisted snapshot, starts polling the control plane, and starts serving. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), stops polling. */
  close(): Promise<void>;
  readonly configStore: ConfigStore;
};

export const defaultMaxBodyBytes = 4 * 1024 * 1024;

export function createProxy(options: ProxyOptions): ProxyServer {
  const log = options.logger ?? jsonLogger;
  const store = new ConfigStore();
  const metrics = createProxyMetrics();
  const pools = new UpstreamPools();
  const snapshotPath = options.snapshotPath ?? null;
  const writer =
    snapshotPath === null
      ? null
      : createSnapshotWriter(snapshotPath, (err) =>
          log.error("cannot persist the config snapshot", { path: snapshotPath, ...errorFields(err) }),
        );
  const deps: ProxyDeps = {
    store,
    metrics,
    pools,
    log,
    maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
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
  // keepAliveTimeout above the usual 60 s load-balancer idle timeout, so the proxy never closes first.
  const server = createServer({ keepAliveTimeout: 65_000 }, createRequestListener(deps));

  store.onSwap((snapshot, source) => {
    metrics.configVersion.set(snapshot.version);
    pools.retainOnly(snapshot);
    log.info("config snapshot loaded", { version: snapshot.version, source });
  });

  async function restorePersistedSnapshot(): Promise<void> {
    if (snapshotPath === null) return;
    const read = await readSnapshotFile(snapshotPath);
    if (read.ok) {
      try {
        store.swap(compileSnapshot(read.config), "file");
      } catch (err) {
        log.error("persisted config snapshot cannot be compiled; ignoring it", {
          path: snapshotPath,
          ...errorFields(err),
        });
      }
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
    await writer?.flush();
  }

  return {
    configStore: store,
    async listen(port = 0, host = "127.0.0.1") {
      await restorePersistedSnapshot();
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
      closing ??= server.listening ? shutdown() : Promise.all([poller.stop(), pools.close()]).then(() => {});
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
