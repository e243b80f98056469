/** The control plane's Prometheus registry: default process metrics and tRPC request durations. */
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

export type ControlPlaneMetrics = {
  registry: Registry;
  trpcDuration: Histogram<"procedure" | "status">;
};

export function createMetrics(): ControlPlaneMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "switchyard_cp_" });
  const trpcDuration = new Histogram({
    name: "switchyard_cp_trpc_request_duration_seconds",
    help: "tRPC procedure duration by procedure and outcome status",
    labelNames: ["procedure", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, trpcDuration };
}
