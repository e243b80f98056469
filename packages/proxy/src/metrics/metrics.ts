/**
 * Prometheus metrics of one proxy instance, in a registry of its own (so that several proxies in
 * one process, as in tests, never collide). Label values come from the snapshot (model and
 * provider names), never from what a client sent, so cardinality stays bounded.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type ReloadResult = "success" | "invalid" | "error";

export function createProxyMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "switchyard_proxy_" });

  const requests = new Counter({
    name: "switchyard_proxy_requests_total",
    help: "Proxied API requests by model, provider and HTTP status answered.",
    labelNames: ["model", "provider", "status"] as const,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: "switchyard_proxy_request_duration_seconds",
    help: "Time from request received to response finished (streams: last chunk sent).",
    labelNames: ["model", "provider"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const ttft = new Histogram({
    name: "switchyard_proxy_ttft_seconds",
    help: "Time to first token: from request received to the first streamed chunk from upstream.",
    labelNames: ["model"] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const configVersion = new Gauge({
    name: "switchyard_proxy_config_version",
    help: "Version of the GatewayConfig snapshot this proxy enforces (-1 while none is loaded).",
    registers: [registry],
  });
  configVersion.set(-1);
  const configReloads = new Counter({
    name: "switchyard_proxy_config_reloads_total",
    help: "Config snapshot loads: success (swapped in), invalid (rejected, old one kept), error (fetch failed).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const result of ["success", "invalid", "error"] satisfies ReloadResult[])
    configReloads.inc({ result }, 0);

  return {
    registry,
    requests,
    requestDuration,
    ttft,
    configVersion,
    configReloads,
    /** One finished API request. `model`/`provider` are "" when the request failed before they were known. */
    observeRequest(model: string, provider: string, status: number, seconds: number): void {
      requests.inc({ model, provider, status });
      requestDuration.observe({ model, provider }, seconds);
    },
  };
}
export type ProxyMetrics = ReturnType<typeof createProxyMetrics>;
