/**
 * Playwright global setup: starts the whole product (control plane, proxy, mock provider,
 * dashboard) on a fresh database of the real Postgres, on free ports, and drops it afterwards.
 * Tests read E2E_BASE_URL, E2E_PROXY_URL, E2E_DEMO_API_KEY and E2E_USERS.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { dropDatabase, withDatabase } from "@switchyard/db";
import { ensureDashboardBuilt, startStack } from "../scripts/stack.ts";

export default async function globalSetup() {
  const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const databaseUrl = withDatabase(
    server,
    `switchyard_e2e_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`,
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-e2e-"));
  ensureDashboardBuilt(console.log);
  const stack = await startStack({
    databaseUrl,
    redisUrl: process.env.TEST_REDIS_URL ?? undefined,
    dataDir,
    ports: { dashboard: 0, controlPlane: 0, proxy: 0, mockProvider: 0 },
    log: () => {},
  });
  process.env.E2E_BASE_URL = stack.info.dashboardUrl;
  process.env.E2E_PROXY_URL = stack.info.proxyUrl;
  process.env.E2E_DEMO_API_KEY = stack.info.demoApiKey;
  process.env.E2E_USERS = JSON.stringify(stack.info.users);
  return async () => {
    await stack.stop();
    await dropDatabase(databaseUrl);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
