/**
 * The background jobs as the System page shows them: each job's settings (as the last replica to
 * start wrote them), its last run, its last error and its next run. `running` is read from
 * Postgres's lock table, so it is true exactly while some replica holds the job's lock.
 */

import { jobLockNamespace } from "../../jobs/scheduler.ts";
import type { OpArgs } from "../op.ts";

export type JobView = {
  name: string;
  description: string;
  intervalSeconds: number;
  enabled: boolean;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastOutcome: "success" | "failure" | null;
  lastError: string | null;
  lastDurationMs: number | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  nextRunAt: string | null;
  running: boolean;
};

type Row = {
  name: string;
  description: string;
  interval_seconds: number;
  enabled: boolean;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  last_outcome: string | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_success_at: Date | null;
  consecutive_failures: number;
  next_run_at: Date | null;
  running: boolean;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function listJobs({ db }: Pick<OpArgs, "db">): Promise<{ items: JobView[] }> {
  // A two-key advisory lock shows in pg_locks as classid = key 1, objid = key 2 (as oid), objsubid 2.
  const rows = await db.$queryRaw<Row[]>`
    SELECT j.name, j.description, j.interval_seconds, j.enabled, j.last_started_at, j.last_finished_at,
      j.last_outcome, j.last_error, j.last_duration_ms, j.last_success_at, j.consecutive_failures,
      j.next_run_at,
      EXISTS (
        SELECT 1 FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = ${jobLockNamespace}::int::oid AND l.objid = hashtext(j.name)::oid
      ) AS running
    FROM job_state j
    ORDER BY j.name`;
  return {
    items: rows.map((r) => ({
      name: r.name,
      description: r.description,
      intervalSeconds: r.interval_seconds,
      enabled: r.enabled,
      lastStartedAt: iso(r.last_started_at),
      lastFinishedAt: iso(r.last_finished_at),
      lastOutcome: r.last_outcome === "success" || r.last_outcome === "failure" ? r.last_outcome : null,
      lastError: r.last_error,
      lastDurationMs: r.last_duration_ms,
      lastSuccessAt: iso(r.last_success_at),
      consecutiveFailures: r.consecutive_failures,
      nextRunAt: r.enabled ? iso(r.next_run_at) : null,
      running: r.running,
    })),
  };
}
