/**
 * Control plane entry point: parse the environment, migrate, optionally seed demo data,
 * and serve. Fails fast, naming the variable, when the environment is wrong.
 */
import { createDb, migrateDatabase } from "@switchyard/db";
import { createStore } from "@switchyard/store";
import { parseEnv } from "./env.ts";
import { startKeyRotationJob } from "./jobs/key-rotation.ts";
import { startSnapshotRetentionJob } from "./jobs/snapshot-retention.ts";
import { createMetrics } from "./metrics.ts";
import { createControlPlane } from "./server.ts";
import { createConfigBus, ensureSnapshot } from "./services/config/publish.ts";
import {
  assertMasterKeysOpenCredentials,
  startCredentialOverlapJob,
} from "./services/providers/credentials.ts";
import { createCredentialVault } from "./services/providers/vault.ts";
import { seedDemoData } from "./services/seed/demo.ts";

export async function startControlPlane(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(source);
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
    for (const u of seeded.createdUsers)
      console.log(`[seed] created ${u.role} ${u.email} with password ${u.password}`);
    if (seeded.createdUsers.length > 0) console.log(`[seed] demo API key: ${seeded.demoApiKey}`);
  }
  await ensureSnapshot(db, vault);
  const store = createStore(env.REDIS_URL, { prefix: "sy:cp:" });
  const bus = await createConfigBus(db, env.DATABASE_URL);
  const cp = createControlPlane({
    db,
    store,
    bus,
    env,
    metrics: createMetrics(),
    vault,
    dataPlaneToken: env.DATA_PLANE_TOKEN,
    longPollSeconds: env.CONFIG_LONG_POLL_SECONDS,
    trustedProxies: env.TRUSTED_PROXIES,
    dashboardOrigins: env.DASHBOARD_ORIGINS,
  });
  const { url } = await cp.listen(env.CONTROL_PLANE_PORT, env.CONTROL_PLANE_HOST);
  // Retires rotated-out provider credentials when their overlap ends, republishing the snapshot.
  const overlapJob = startCredentialOverlapJob({ db, bus, vault });
  // Rotates keys whose rotation policy is due and sends the new secret to the owner's webhook.
  const rotationJob = startKeyRotationJob({
    db,
    bus,
    vault,
    intervalSeconds: env.KEY_ROTATION_INTERVAL_SECONDS,
  });
  // Deletes config snapshots beyond the newest CONFIG_SNAPSHOTS_KEPT; never the head.
  const retentionJob = startSnapshotRetentionJob({
    db,
    keep: env.CONFIG_SNAPSHOTS_KEPT,
    intervalSeconds: env.CONFIG_SNAPSHOT_RETENTION_INTERVAL_SECONDS,
  });
  return {
    url,
    async close() {
      await overlapJob.stop();
      await rotationJob.stop();
      await retentionJob.stop();
      await cp.close();
      await store.close();
      await db.$disconnect();
    },
  };
}

if (import.meta.main) {
  try {
    const cp = await startControlPlane();
    console.log(`control plane listening on ${cp.url}`);
    const stop = async () => {
      await cp.close();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
