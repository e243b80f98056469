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
  const upstreamLatency = new Histogram({
    name: "switchyard_proxy_upstream_latency_seconds",
    help: "Time from sending a request upstream to the provider's response headers, per attempt.",
    labelNames: ["provider", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
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

  const tokens = new Counter({
    name: "switchyard_proxy_tokens_total",
    help: "Tokens billed to keys by model and kind (prompt, completion): provider-reported, else estimated.",
    labelNames: ["model", "kind"] as const,
    registers: [registry],
  });
  const costMicros = new Counter({
    name: "switchyard_proxy_cost_micros_total",
    help: "Cost billed to keys by model, in micro-dollars.",
    labelNames: ["model"] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "switchyard_proxy_rate_limited_total",
    help: "Requests refused by a key's rate limit, by the limit that refused them (requests, tokens).",
    labelNames: ["limit"] as const,
    registers: [registry],
  });
  for (const limit of ["requests", "tokens"]) rateLimited.inc({ limit }, 0);
  const rateLimitStoreErrors = new Counter({
    name: "switchyard_proxy_rate_limit_store_errors_total",
    help: "Rate-limit checks that could not reach the shared store (Redis); those requests were let through.",
    registers: [registry],
  });
  const usageEvents = new Counter({
    name: "switchyard_proxy_usage_events_total",
    help: "Usage events by outcome: delivered (2xx from the control plane), spooled (written to disk for a retry), rejected (400 from the control plane, kept under rejected/), dropped (lost: no spool and the queue was full).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  for (const outcome of ["delivered", "spooled", "rejected", "dropped"]) usageEvents.inc({ outcome }, 0);
  const usageBacklog = new Gauge({
    name: "switchyard_proxy_usage_backlog_batches",
    help: "Usage batches waiting in the spool (or in memory without one) for the control plane.",
    registers: [registry],
  });

  return {
    registry,
    tokens,
    costMicros,
    rateLimited,
    rateLimitStoreErrors,
    usageEvents,
    usageBacklog,
    requests,
    requestDuration,
    ttft,
    upstreamLatency,
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
