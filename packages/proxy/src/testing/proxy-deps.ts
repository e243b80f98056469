/**
 * ProxyDeps for tests that drive the request listener or the pipeline without `createProxy`: an
 * empty config store, fresh metrics, no control plane behind the usage shipper, no enforcers.
 */
import { ConfigStore } from "../config/store.ts";
import type { ProxyDeps } from "../http/context.ts";
import { silentLogger } from "../logger.ts";
import { createProxyMetrics } from "../metrics/metrics.ts";
import { createCredentialAlerts } from "../providers/credential-alerts.ts";
import { UpstreamPools } from "../providers/pools.ts";
import { createUsageShipper } from "../usage/shipper.ts";

const nowhere = "http://127.0.0.1:9";
const token = "unused-data-plane-token";

export function testProxyDeps(overrides: Partial<ProxyDeps> = {}): ProxyDeps {
  const metrics = overrides.metrics ?? createProxyMetrics();
  const log = overrides.log ?? silentLogger;
  return {
    store: new ConfigStore(),
    metrics,
    pools: new UpstreamPools(),
    credentialAlerts: createCredentialAlerts({
      controlPlaneUrl: nowhere,
      dataPlaneToken: token,
      registry: metrics.registry,
      log,
    }),
    log,
    maxBodyBytes: 1024 * 1024,
    enforcers: [],
    usage: createUsageShipper({
      controlPlaneUrl: nowhere,
      dataPlaneToken: token,
      spoolDir: null,
      log,
      metrics,
    }),
    ...overrides,
  };
}
