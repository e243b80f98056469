/**
 * The control plane's Prometheus registry: default process metrics, tRPC request durations and the
 * background jobs' runs (by job and outcome), durations and last success.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type JobMetrics = {
  jobRuns: Counter<"job" | "outcome">;
  jobDuration: Histogram<"job">;
  jobLastSuccess: Gauge<"job">;
};

export type ControlPlaneMetrics = JobMetrics & {
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
  return { registry, trpcDuration, ...createJobMetrics(registry) };
}

export function createJobMetrics(registry: Registry): JobMetrics {
  return {
    jobRuns: new Counter({
      name: "switchyard_cp_job_runs_total",
      help: "Background job runs on this replica, by job and outcome (success, failure)",
      labelNames: ["job", "outcome"] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "switchyard_cp_job_duration_seconds",
      help: "Background job run duration on this replica, by job",
      labelNames: ["job"] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    jobLastSuccess: new Gauge({
      name: "switchyard_cp_job_last_success_timestamp_seconds",
      help: "When a background job last succeeded on this replica (Unix seconds)",
      labelNames: ["job"] as const,
      registers: [registry],
    }),
  };
}
