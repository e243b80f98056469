/**
 * Control plane entry point: parse the environment, migrate, optionally seed demo data,
 * and serve. Fails fast, naming the variable, when the environment is wrong.
 */
import { EnvError } from "@switchyard/core/env";
import { createDb, migrateDatabase } from "@switchyard/db";
import { createStore } from "@switchyard/store";
import { parseEnv } from "./env.ts";
import { credentialOverlapJob } from "./jobs/credential-overlap.ts";
import { keyRotationJob } from "./jobs/key-rotation.ts";
import { startScheduler } from "./jobs/scheduler.ts";
import { snapshotRetentionJob } from "./jobs/snapshot-retention.ts";
import { log } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { createControlPlane } from "./server.ts";
import { createConfigBus, ensureSnapshot } from "./services/config/publish.ts";
import { assertMasterKeysOpenCredentials } from "./services/providers/credentials.ts";
import { createCredentialVault } from "./services/providers/vault.ts";
import { seedDemoData } from "./services/seed/demo.ts";

export async function startControlPlane(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(source);
  log.level = env.LOG_LEVEL;
  if (env.MIGRATE_ON_START) await migrateDatabase(env.DATABASE_URL);
  const db = createDb(env.DATABASE_URL);
  const vault = createCredentialVault({ masterKeys: env.MASTER_KEYS, dataPlaneToken: env.DATA_PLANE_TOKEN });
  await assertMasterKeysOpenCredentials({ db, vault }).catch(async (err: unknown) => {
    await db.$disconnect();
    throw err;
  });
  if (env.SEED_DEMO_DATA) {
    const seeded = await seedDemoData(db, {
      mockProviderUrl: env.MOCK_PROVIDER_URL,
      vault,
    });
    // Shown once, on purpose: the demo's logins are only ever told here (in the message, which
    // redaction leaves alone; a `password` field would be redacted).
    for (const u of seeded.createdUsers)
      log.warn({ role: u.role, email: u.email }, `demo user created: ${u.email} / ${u.password}`);
    if (seeded.createdUsers.length > 0) log.warn(`demo API key created: ${seeded.demoApiKey}`);
  }
  await ensureSnapshot(db, vault);
  const store = createStore(env.REDIS_URL, { prefix: "sy:cp:" });
  const bus = await createConfigBus(db, env.DATABASE_URL);
  const metrics = createMetrics();
  const cp = createControlPlane({
    db,
    store,
    bus,
    env,
    metrics,
    vault,
    dataPlaneToken: env.DATA_PLANE_TOKEN,
    longPollSeconds: env.CONFIG_LONG_POLL_SECONDS,
    trustedProxies: env.TRUSTED_PROXIES,
    dashboardOrigins: env.DASHBOARD_ORIGINS,
  });
  const { url } = await cp.listen(env.CONTROL_PLANE_PORT, env.CONTROL_PLANE_HOST);
  // Every background job, on the one scheduler (one replica runs a job at a time; ADR 0012).
  const scheduler = await startScheduler({
    db,
    databaseUrl: env.DATABASE_URL,
    metrics,
    jobs: [
      keyRotationJob({ db, bus, vault, intervalSeconds: env.KEY_ROTATION_INTERVAL_SECONDS }),
      snapshotRetentionJob({
        db,
        keep: env.CONFIG_SNAPSHOTS_KEPT,
        intervalSeconds: env.CONFIG_SNAPSHOT_RETENTION_INTERVAL_SECONDS,
      }),
      credentialOverlapJob({ db, bus, vault, intervalSeconds: env.CREDENTIAL_OVERLAP_INTERVAL_SECONDS }),
    ],
  });
  return {
    url,
    async close() {
      await scheduler.stop();
      await cp.close();
      await store.close();
      await db.$disconnect();
    },
  };
}

if (import.meta.main) {
  try {
    const cp = await startControlPlane();
    log.info({ url: cp.url }, "control plane listening");
    const stop = async () => {
      await cp.close();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (err) {
    // A wrong environment is for the person starting it: plain text on stderr, each bad variable
    // named, as the proxy does. Anything else is a fatal log line.
    if (err instanceof EnvError) process.stderr.write(`${err.message}\n`);
    else log.fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
