/**
 * Snapshot retention against the real database: all but the newest N snapshots are deleted, the
 * head never is, and the job prunes on its interval until stopped.
 */
import {
  createDatabaseIfMissing,
  createDb,
  type Db,
  dropDatabase,
  migrateDatabase,
  poolConfigFromUrl,
  withDatabase,
} from "@switchyard/db";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { parseEnv } from "../env.ts";
import { latestSnapshot } from "../services/config/publish.ts";
import { pruneSnapshots } from "../services/config/retention.ts";
import { startScheduler } from "./scheduler.ts";
import { snapshotRetentionJob } from "./snapshot-retention.ts";

const databaseUrl = withDatabase(
  inject("databaseUrl"),
  `${poolConfigFromUrl(inject("databaseUrl")).database}_retention`,
);
let db: Db;

beforeAll(async () => {
  await dropDatabase(databaseUrl);
  await createDatabaseIfMissing(databaseUrl);
  await migrateDatabase(databaseUrl);
  db = createDb(databaseUrl, { poolSize: 2 });
});

afterAll(async () => {
  await db?.$disconnect();
  await dropDatabase(databaseUrl);
});

beforeEach(async () => {
  await db.configSnapshot.deleteMany();
});

async function storeSnapshots(versions: number[]): Promise<void> {
  await db.configSnapshot.createMany({
    data: versions.map((version) => ({ version, config: { version, note: `snapshot ${version}` } })),
  });
}

async function storedVersions(): Promise<number[]> {
  const rows = await db.configSnapshot.findMany({ select: { version: true }, orderBy: { version: "asc" } });
  return rows.map((r) => r.version);
}

describe("pruneSnapshots", () => {
  it("keeps the newest N and deletes the rest", async () => {
    await storeSnapshots([1, 2, 3, 4, 5, 6, 7]);
    expect(await pruneSnapshots(db, 3)).toBe(4);
    expect(await storedVersions()).toEqual([5, 6, 7]);
    expect(await pruneSnapshots(db, 3)).toBe(0);
    expect(await pruneSnapshots(db, 100)).toBe(0);
    expect(await storedVersions()).toEqual([5, 6, 7]);
  });

  it("never deletes the head, whatever it is asked", async () => {
    await storeSnapshots([3, 8, 9, 12]);
    expect(await pruneSnapshots(db, 1)).toBe(3);
    expect(await storedVersions()).toEqual([12]);
    expect((await latestSnapshot(db))?.config).toEqual({ version: 12, note: "snapshot 12" });
    await expect(pruneSnapshots(db, 0)).rejects.toThrow(/at least the head/);
    await expect(pruneSnapshots(db, -5)).rejects.toThrow(/at least the head/);
    expect(await storedVersions()).toEqual([12]);
  });

  it("does nothing to an empty table or one with fewer rows than it keeps", async () => {
    expect(await pruneSnapshots(db, 1)).toBe(0);
    await storeSnapshots([1, 2]);
    expect(await pruneSnapshots(db, 5)).toBe(0);
    expect(await storedVersions()).toEqual([1, 2]);
  });
});

describe("the snapshot retention job", () => {
  it("prunes on its interval until stopped", async () => {
    await storeSnapshots([1, 2, 3, 4, 5]);
    const job = await startScheduler({
      db,
      databaseUrl,
      jobs: [snapshotRetentionJob({ db, keep: 2, intervalSeconds: 1 })],
    });
    try {
      await vi.waitFor(async () => expect(await storedVersions()).toEqual([4, 5]), { timeout: 5000 });
      await vi.waitFor(
        async () =>
          expect(await db.jobState.findUnique({ where: { name: "snapshot-retention" } })).toMatchObject({
            lastOutcome: "success",
          }),
        { timeout: 5000 },
      );
    } finally {
      await job.stop();
    }
    // Stopped: what is stored from now on stays.
    await storeSnapshots([6, 7, 8]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await storedVersions()).toEqual([4, 5, 6, 7, 8]);
  });

  it("is off with an interval of 0", async () => {
    await storeSnapshots([1, 2, 3]);
    const job = await startScheduler({
      db,
      databaseUrl,
      jobs: [snapshotRetentionJob({ db, keep: 1, intervalSeconds: 0 })],
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await job.stop();
    expect(await storedVersions()).toEqual([1, 2, 3]);
  });
});

describe("CONFIG_SNAPSHOTS_KEPT", () => {
  const env = {
    DATABASE_URL: databaseUrl,
    DATA_PLANE_TOKEN: "a-data-plane-token-of-16+",
    MASTER_KEYS: `1:${"ab".repeat(32)}`,
  };

  it("keeps 100 by default and must keep at least the head", () => {
    expect(parseEnv(env)).toMatchObject({
      CONFIG_SNAPSHOTS_KEPT: 100,
      CONFIG_SNAPSHOT_RETENTION_INTERVAL_SECONDS: 600,
    });
    expect(parseEnv({ ...env, CONFIG_SNAPSHOTS_KEPT: "25" }).CONFIG_SNAPSHOTS_KEPT).toBe(25);
    expect(() => parseEnv({ ...env, CONFIG_SNAPSHOTS_KEPT: "0" })).toThrow(
      /CONFIG_SNAPSHOTS_KEPT must be at least 1: the head snapshot is always kept/,
    );
  });
});
