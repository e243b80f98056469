/**
 * Integration-test setup: creates a database of its own for this run on the real Postgres,
 * migrates it, and drops it afterwards, so concurrent runs never collide.
 * Suites read TEST_DATABASE_URL and TEST_REDIS_URL / TEST_REDIS_PREFIX.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import "./provided-context.ts";
import {
  createDatabaseIfMissing,
  dropDatabase,
  migrateDatabase,
  withDatabase,
} from "../packages/db/src/index.ts";

const serverUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const databaseUrl = withDatabase(serverUrl, `switchyard_test_${runId}`);
  await createDatabaseIfMissing(databaseUrl);
  await migrateDatabase(databaseUrl);
  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("redisPrefix", `sytest:${runId}:`);
  process.env.TEST_DATABASE_URL = databaseUrl;
  return async () => {
    await dropDatabase(databaseUrl);
  };
}
