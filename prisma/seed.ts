/**
 * `pnpm db:seed` (and `prisma db seed`): creates the demo organisation, an admin, a reviewer and a
 * finance user, the mock provider with its models, and a demo API key, then prints the logins.
 * Idempotent. Needs DATABASE_URL, and the control plane's MASTER_KEYS and DATA_PLANE_TOKEN (the
 * snapshot it publishes carries sealed provider credentials); MOCK_PROVIDER_URL defaults to
 * http://127.0.0.1:8090.
 */
import { createCredentialVault, seedDemoData } from "@switchyard/control-plane";
import { parseMasterKeys } from "@switchyard/core/crypto/seal";
import { createDb } from "@switchyard/db";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("DATABASE_URL is not set: point it at the database to seed");
  process.exit(1);
}
const { MASTER_KEYS: masterKeys, DATA_PLANE_TOKEN: dataPlaneToken } = process.env;
if (!masterKeys || !dataPlaneToken) {
  console.error("MASTER_KEYS and DATA_PLANE_TOKEN must be set: the same values the control plane runs with");
  process.exit(1);
}
let vault: ReturnType<typeof createCredentialVault>;
try {
  vault = createCredentialVault({ masterKeys: parseMasterKeys(masterKeys), dataPlaneToken });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
const db = createDb(databaseUrl, { poolSize: 2 });
try {
  const r = await seedDemoData(db, {
    mockProviderUrl: process.env.MOCK_PROVIDER_URL ?? "http://127.0.0.1:8090",
    vault,
  });
  if (r.createdUsers.length === 0) console.log("Demo data already present; nothing created.");
  for (const u of r.createdUsers)
    console.log(`created ${u.role.padEnd(8)} ${u.email}  password: ${u.password}`);
  if (r.createdUsers.length > 0) console.log(`demo API key: ${r.demoApiKey}  (model: ${r.demoModel})`);
  console.log(`config snapshot version ${r.snapshotVersion}`);
} finally {
  await db.$disconnect();
}
