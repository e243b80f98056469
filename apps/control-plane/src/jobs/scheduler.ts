/**
 * The one scheduler every background job runs on (ADR 0012). Each job is a name, a description, an
 * interval and a `run()`; the scheduler decides when it is due, makes sure exactly one replica runs
 * it at a time, backs off after failures, and records every run in `job_state` (shown by
 * `jobs.list` on the System page) and in the job metrics.
 *
 * - Exactly one at a time: a replica runs a job only while it holds `pg_try_advisory_lock` for it,
 *   taken on a connection of its own (not the Prisma pool, whose connections are shared and reused).
 *   A replica that dies drops its connection, and with it the lock.
 * - Once per interval across replicas: `job_state.next_run_at` is shared; the replica that takes the
 *   lock re-reads it under the lock, so a run another replica just finished is not repeated.
 * - Backoff: after the n-th failure in a row the next try waits interval × 2^(n-1), capped at
 *   `maxBackoffSeconds` (or the interval, if that is longer).
 */
import { hostname } from "node:os";
import type { Db } from "@switchyard/db";
import { poolConfigFromUrl } from "@switchyard/db";
import pg from "pg";
import type { Logger } from "pino";
import { log as defaultLog } from "../log.ts";
import type { JobMetrics } from "../metrics.ts";

export type Job = {
  /** Stable, kebab-case: the row in job_state, the metrics label, the lock key. */
  name: string;
  /** One sentence for the System page. */
  description: string;
  /** Seconds between runs; 0 turns the job off on this replica. */
  intervalSeconds: number;
  /**
   * One run. A thrown error is a failed run (recorded, backed off). It may return when it wants
   * to run again if that is sooner than the interval (a deadline it knows of).
   */
  run(): Promise<{ runAgainAt?: Date | null } | undefined>;
};

export type SchedulerOptions = {
  db: Db;
  /** For the scheduler's own connection, which holds the advisory locks. */
  databaseUrl: string;
  jobs: readonly Job[];
  metrics?: JobMetrics;
  log?: Logger;
  /** The longest wait after failures, unless the interval itself is longer. Default one hour. */
  maxBackoffSeconds?: number;
  /** How often a replica that did not get a job's lock looks again. Default: the interval, at most 5 s. */
  lockRetryMs?: number;
};

export type Scheduler = {
  readonly jobs: readonly Job[];
  stop(): Promise<void>;
};

/** The first key of every job's advisory lock: 'SY' + 'JB', so other advisory locks never collide. */
export const jobLockNamespace = 0x53594a42;

/** The delay before the next try after `failures` failures in a row. */
export function backoffMs(intervalSeconds: number, failures: number, maxBackoffSeconds: number): number {
  const interval = intervalSeconds * 1000;
  if (failures <= 0) return interval;
  const cap = Math.max(interval, maxBackoffSeconds * 1000);
  return Math.min(cap, interval * 2 ** Math.min(failures - 1, 30));
}

/**
 * The scheduler's dedicated connection. Its queries go one at a time (pg would queue them, with a
 * deprecation warning); after an error it is replaced, and the locks it held are gone with it.
 */
function lockConnection(databaseUrl: string, log: Logger) {
  let client: pg.Client | null = null;
  let tail: Promise<unknown> = Promise.resolve();
  /** Locks taken and not yet released: losing the connection while one is held matters. */
  const held = new Set<string>();
  const connect = async () => {
    if (client) return client;
    const next = new pg.Client({
      ...poolConfigFromUrl(databaseUrl),
      application_name: "switchyard-scheduler",
    });
    next.on("error", (err) => {
      // Reported once per connection (pg emits one error per failing layer); reconnects on the next run.
      if (client !== next) return;
      client = null;
      const fields = { error: err.message, locksHeld: [...held] };
      if (held.size > 0)
        log.warn(
          fields,
          "scheduler lost its lock connection during a run; another replica may start the job",
        );
      else log.info(fields, "scheduler's lock connection closed; it reconnects for the next run");
    });
    await next.connect();
    client = next;
    return next;
  };
  const query = <T extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    const run = tail.then(async () => (await connect()).query<T>(text, values));
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    async tryLock(name: string): Promise<boolean> {
      const r = await query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked", [
        jobLockNamespace,
        name,
      ]);
      const locked = r.rows[0]?.locked === true;
      if (locked) held.add(name);
      return locked;
    },
    async unlock(name: string): Promise<void> {
      held.delete(name);
      await query("SELECT pg_advisory_unlock($1, hashtext($2))", [jobLockNamespace, name]);
    },
    async close(): Promise<void> {
      await tail;
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { db, jobs } = options;
  const log = (options.log ?? defaultLog).child({ component: "scheduler", replica: hostname() });
  const maxBackoffSeconds = options.maxBackoffSeconds ?? 3600;
  const locks = lockConnection(options.databaseUrl, log);
  const stopping = new AbortController();
  const loops: Promise<void>[] = [];

  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`two background jobs are named "${job.name}"`);
    names.add(job.name);
  }

  // What this replica runs, as the System page shows it. The first run is one interval from now
  // (as before the scheduler); a next run further off than this replica's interval is brought in.
  for (const job of jobs) {
    const enabled = job.intervalSeconds > 0;
    const first = new Date(Date.now() + job.intervalSeconds * 1000);
    await db.$executeRaw`
      INSERT INTO job_state (name, description, interval_seconds, enabled, next_run_at)
      VALUES (${job.name}, ${job.description}, ${job.intervalSeconds}, ${enabled}, ${enabled ? first : null})
      ON CONFLICT (name) DO UPDATE SET
        description = EXCLUDED.description,
        interval_seconds = EXCLUDED.interval_seconds,
        enabled = EXCLUDED.enabled,
        next_run_at = CASE
          WHEN NOT EXCLUDED.enabled THEN job_state.next_run_at
          WHEN job_state.next_run_at IS NULL OR job_state.consecutive_failures = 0
            THEN LEAST(COALESCE(job_state.next_run_at, EXCLUDED.next_run_at), EXCLUDED.next_run_at)
          ELSE job_state.next_run_at
        END,
        updated_at = now()`;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        stopping.signal.removeEventListener("abort", done);
        resolve();
      }
      stopping.signal.addEventListener("abort", done);
    });

  /** Runs the job if it is due and this replica gets its lock; returns how long to wait before looking again. */
  async function tick(job: Job): Promise<number> {
    const intervalMs = job.intervalSeconds * 1000;
    const retryMs = options.lockRetryMs ?? Math.min(intervalMs, 5000);
    const dueIn = async () => {
      const state = await db.jobState.findUnique({ where: { name: job.name }, select: { nextRunAt: true } });
      return state?.nextRunAt ? state.nextRunAt.getTime() - Date.now() : 0;
    };
    const wait = await dueIn();
    if (wait > 0) return Math.min(wait, intervalMs);
    if (!(await locks.tryLock(job.name))) return retryMs;
    try {
      // Under the lock: another replica may have run it between our read and our lock.
      const stillDue = await dueIn();
      if (stillDue > 0) return Math.min(stillDue, intervalMs);
      return await runLocked(job);
    } finally {
      await locks
        .unlock(job.name)
        .catch((err: unknown) => log.warn({ job: job.name, err }, "could not release a job lock"));
    }
  }

  async function runLocked(job: Job): Promise<number> {
    const startedAt = new Date();
    await db.jobState.update({ where: { name: job.name }, data: { lastStartedAt: startedAt } });
    let outcome: "success" | "failure" = "success";
    let error: string | null = null;
    let runAgainAt: Date | null = null;
    try {
      runAgainAt = (await job.run())?.runAgainAt ?? null;
    } catch (err) {
      outcome = "failure";
      error = err instanceof Error ? err.message : String(err);
      log.error({ job: job.name, err }, "background job failed");
    }
    const finishedAt = new Date();
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    const before = await db.jobState.findUnique({
      where: { name: job.name },
      select: { consecutiveFailures: true },
    });
    const failures = outcome === "failure" ? (before?.consecutiveFailures ?? 0) + 1 : 0;
    let next = finishedAt.getTime() + backoffMs(job.intervalSeconds, failures, maxBackoffSeconds);
    if (outcome === "success" && runAgainAt)
      next = Math.max(finishedAt.getTime(), Math.min(next, runAgainAt.getTime()));
    await db.jobState.update({
      where: { name: job.name },
      data: {
        lastFinishedAt: finishedAt,
        lastDurationMs: durationMs,
        lastOutcome: outcome,
        lastError: error,
        consecutiveFailures: failures,
        nextRunAt: new Date(next),
        ...(outcome === "success" ? { lastSuccessAt: finishedAt } : {}),
      },
    });
    options.metrics?.jobRuns.inc({ job: job.name, outcome });
    options.metrics?.jobDuration.observe({ job: job.name }, durationMs / 1000);
    if (outcome === "success")
      options.metrics?.jobLastSuccess.set({ job: job.name }, finishedAt.getTime() / 1000);
    log.debug({ job: job.name, outcome, durationMs, failures }, "background job ran");
    return next - Date.now();
  }

  async function loop(job: Job) {
    while (!stopping.signal.aborted) {
      let wait: number;
      try {
        wait = await tick(job);
      } catch (err) {
        // Postgres away: the job did not run; look again after a while.
        log.warn({ job: job.name, err }, "could not schedule a background job");
        wait = Math.min(job.intervalSeconds * 1000, 5000);
      }
      await sleep(wait);
    }
  }

  for (const job of jobs) {
    if (job.intervalSeconds > 0) loops.push(loop(job));
  }

  return {
    jobs,
    async stop() {
      stopping.abort();
      await Promise.all(loops);
      await locks.close();
    },
  };
}
