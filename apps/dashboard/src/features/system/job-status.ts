/** How a background job's state reads on the System page: pure, so it is tested without a browser. */
import type { RouterOutputs } from "../../lib/trpc.ts";

export type JobRow = RouterOutputs["jobs"]["list"]["items"][number];

export type JobStatus = { label: string; tone: "ok" | "failing" | "running" | "off" | "new" };

export function jobStatus(job: JobRow): JobStatus {
  if (!job.enabled) return { label: "Off", tone: "off" };
  if (job.running) return { label: "Running", tone: "running" };
  if (job.lastOutcome === "failure") {
    return {
      label: job.consecutiveFailures > 1 ? `Failing (${job.consecutiveFailures} in a row)` : "Failed",
      tone: "failing",
    };
  }
  if (job.lastOutcome === "success") return { label: "OK", tone: "ok" };
  return { label: "Not run yet", tone: "new" };
}

/** "every 60 s", "every 10 min", "every 2 h". */
export function formatInterval(seconds: number): string {
  if (seconds <= 0) return "off";
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 120) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

/** "42 ms", "3.4 s", "2 min 5 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
