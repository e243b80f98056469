-- One row per background job (apps/control-plane/src/jobs/scheduler.ts): its settings as the last
-- replica to start wrote them, when it runs next, and how its last run went. The run itself is
-- guarded by a Postgres advisory lock on a dedicated connection, not by this table (ADR 0012).
CREATE TABLE "job_state" (
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "interval_seconds" INTEGER NOT NULL,
  "enabled" BOOLEAN NOT NULL,
  "next_run_at" TIMESTAMPTZ(3),
  "last_started_at" TIMESTAMPTZ(3),
  "last_finished_at" TIMESTAMPTZ(3),
  "last_duration_ms" INTEGER,
  "last_outcome" TEXT,
  "last_error" TEXT,
  "last_success_at" TIMESTAMPTZ(3),
  "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

  CONSTRAINT "job_state_pkey" PRIMARY KEY ("name")
);
-- last_outcome is 'success' or 'failure', written only by the scheduler. No CHECK constraint:
-- Prisma's JS schema engine fails on introspecting one, which breaks `prisma migrate dev`.
