/**
 * The scheduler against the real Postgres: two schedulers (two replicas) on one database never run
 * the same job at once, a failing job backs off and records its error, and jobs.list shows it all.
 */
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Client, type Harness, startHarness } from "../../test/harness.ts";
import { createJobMetrics } from "../metrics.ts";
import { listJobs } from "../services/jobs/list.ts";
import { backoffMs, type Job, startScheduler } from "./scheduler.ts";

let h: Harness;
const run = Math.random().toString(36).slice(2, 8);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A job first seen waits one interval; one whose row says it is due runs as soon as it starts. */
async function dueNow(name: string) {
  const past = new Date(Date.now() - 1000);
  await h.db.jobState.upsert({
    where: { name },
    create: { name, description: "", intervalSeconds: 1, enabled: true, nextRunAt: past },
    update: { nextRunAt: past },
  });
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.db.jobState.deleteMany({ where: { name: { startsWith: `test-${run}-` } } });
  await h.close();
});

describe("the scheduler", () => {
  it("never runs a job on two replicas at once", async () => {
    const runs: Array<{ replica: string; start: number; end: number }> = [];
    let active = 0;
    let maxActive = 0;
    const job = (replica: string): Job => ({
      name: `test-${run}-exclusive`,
      description: "holds the job for a while, then asks to run again at once",
      intervalSeconds: 1,
      async run() {
        active++;
        maxActive = Math.max(maxActive, active);
        const start = Date.now();
        await sleep(60);
        active--;
        runs.push({ replica, start, end: Date.now() });
        // Due again immediately: both replicas want it all the time.
        return { runAgainAt: new Date() };
      },
    });
    const databaseUrl = inject("databaseUrl");
    await dueNow(`test-${run}-exclusive`);
    const [a, b] = await Promise.all([
      startScheduler({ db: h.db, databaseUrl, jobs: [job("a")], lockRetryMs: 5 }),
      startScheduler({ db: h.db, databaseUrl, jobs: [job("b")], lockRetryMs: 5 }),
    ]);
    try {
      await expect.poll(() => runs.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(15);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(maxActive).toBe(1);
    const sorted = [...runs].sort((x, y) => x.start - y.start);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
    // Both replicas took part: the lock, not luck, kept them apart.
    expect(new Set(runs.map((r) => r.replica))).toEqual(new Set(["a", "b"]));
  });

  it("backs off after failures, records the last error, and clears it after a success", async () => {
    const name = `test-${run}-failing`;
    let failing = true;
    const registry = new Registry();
    const metrics = createJobMetrics(registry);
    await dueNow(name);
    const scheduler = await startScheduler({
      db: h.db,
      databaseUrl: inject("databaseUrl"),
      metrics,
      jobs: [
        {
          name,
          description: "fails until told otherwise",
          intervalSeconds: 1,
          async run() {
            if (failing) throw new Error("upstream down");
            return undefined;
          },
        },
      ],
    });
    try {
      const state = () => h.db.jobState.findUniqueOrThrow({ where: { name } });
      await expect.poll(async () => (await state()).consecutiveFailures, { timeout: 10_000 }).toBe(2);
      const after2 = await state();
      expect(after2).toMatchObject({
        lastOutcome: "failure",
        lastError: "upstream down",
        lastSuccessAt: null,
      });
      // Second failure in a row: twice the interval.
      expect(after2.nextRunAt!.getTime() - after2.lastFinishedAt!.getTime()).toBe(2000);
      expect((await metrics.jobRuns.get()).values).toContainEqual(
        expect.objectContaining({ labels: { job: name, outcome: "failure" }, value: 2 }),
      );
      const listed = (await listJobs({ db: h.db })).items.find((j) => j.name === name);
      expect(listed).toMatchObject({
        lastError: "upstream down",
        enabled: true,
        intervalSeconds: 1,
        running: false,
      });

      failing = false;
      await expect.poll(async () => (await state()).lastOutcome, { timeout: 10_000 }).toBe("success");
      expect(await state()).toMatchObject({ consecutiveFailures: 0, lastError: null });
      expect((await state()).lastSuccessAt).not.toBeNull();
      const lastSuccess = (await metrics.jobLastSuccess.get()).values.find((v) => v.labels.job === name);
      expect(lastSuccess?.value).toBeGreaterThan(0);
    } finally {
      await scheduler.stop();
    }
  });

  it("shows a job as running while a replica holds it, on jobs.list (admins only)", async () => {
    const name = `test-${run}-slow`;
    let release: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finish: () => void = () => {};
    await dueNow(name);
    const again = await startScheduler({
      db: h.db,
      databaseUrl: inject("databaseUrl"),
      jobs: [
        {
          name,
          description: "waits until the test lets it finish",
          intervalSeconds: 60,
          run: () =>
            new Promise((resolve) => {
              release();
              finish = () => resolve(undefined);
            }),
        },
      ],
    });
    try {
      await started;
      const admin = await new Client(h.url).login("admin");
      const r = await admin.query("jobs.list");
      expect(r.status).toBe(200);
      const { items } = (r.body.result as { data: { items: Array<{ name: string; running: boolean }> } })
        .data;
      expect(items.find((j) => j.name === name)).toMatchObject({ running: true });
      const finance = await new Client(h.url).login("finance");
      expect((await finance.query("jobs.list")).status).toBe(403);
      finish();
      await expect
        .poll(async () => (await listJobs({ db: h.db })).items.find((j) => j.name === name)?.running, {
          timeout: 5000,
        })
        .toBe(false);
    } finally {
      finish();
      await again.stop();
    }
  });
});

describe("backoffMs", () => {
  it("doubles the interval per failure in a row, up to the cap (or the interval if longer)", () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffMs(60, n, 3600))).toEqual([
      60_000, 60_000, 120_000, 240_000, 480_000,
    ]);
    expect(backoffMs(60, 20, 3600)).toBe(3_600_000);
    expect(backoffMs(7200, 5, 3600)).toBe(7_200_000);
  });
});
