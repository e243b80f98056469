/**
 * Starts the whole product in one process: (embedded) Postgres, the mock provider, the control
 * plane, the proxy and the dashboard server. Used by `pnpm start` and by the e2e tests.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createCredentialVault, demoModel, seedDemoData, startControlPlane } from "@switchyard/control-plane";
import { parseMasterKeys } from "@switchyard/core/crypto/seal";
import { startDashboardServer } from "@switchyard/dashboard/server";
import { createDatabaseIfMissing, createDb, migrateDatabase } from "@switchyard/db";
import { createMockProvider } from "@switchyard/mock-provider";
import { createProxy } from "@switchyard/proxy";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./embedded-postgres.ts";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export type StackOptions = {
  /** A Postgres URL to use; without one an embedded Postgres runs with its data under dataDir. */
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  dataDir: string;
  host?: string;
  ports?: {
    dashboard?: number;
    controlPlane?: number;
    proxy?: number;
    mockProvider?: number;
    embeddedPostgres?: number;
  };
  log?: (line: string) => void;
  /** The control plane's LOG_LEVEL (default `warn`: its routine lines would bury the summary). */
  logLevel?: string;
};

export type DemoUser = { email: string; password: string; role: string };

export type QuickstartInfo = {
  dashboardUrl: string;
  controlPlaneUrl: string;
  proxyUrl: string;
  mockProviderUrl: string;
  users: DemoUser[];
  demoApiKey: string;
  demoModel: string;
  database: string;
  redis: string;
};

export type Stack = { info: QuickstartInfo; stop(): Promise<void> };

/** Secrets the stack creates on first start and reuses, so logins and the demo key survive restarts. */
type StackSecrets = {
  dataPlaneToken: string;
  /** MASTER_KEYS for the control plane: provider credentials are sealed with it at rest. */
  masterKeys?: string;
  demoApiKey: string | null;
  users: DemoUser[];
};

function writeJsonAtomic(file: string, value: unknown) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function newestMtime(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Builds the dashboard when dist/ is missing or older than its sources. */
export function ensureDashboardBuilt(log: (line: string) => void): void {
  const dashboard = path.join(repoRoot, "apps", "dashboard");
  const built = path.join(dashboard, "dist", "index.html");
  if (existsSync(built)) {
    const sources = Math.max(
      newestMtime(path.join(dashboard, "src")),
      statSync(path.join(dashboard, "index.html")).mtimeMs,
    );
    if (sources <= statSync(built).mtimeMs) return;
  }
  log("building the dashboard (first start, or its sources changed)...");
  const r = spawnSync("pnpm", ["--filter", "@switchyard/dashboard", "build"], {
    cwd: repoRoot,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("the dashboard build failed; see the output above");
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? "127.0.0.1";
  const ports = options.ports ?? {};
  mkdirSync(options.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => log(`while stopping: ${String(e)}`));
  };

  try {
    const secretsFile = path.join(options.dataDir, "secrets.json");
    const secrets: StackSecrets = existsSync(secretsFile)
      ? (JSON.parse(readFileSync(secretsFile, "utf8")) as StackSecrets)
      : { dataPlaneToken: randomBytes(24).toString("base64url"), demoApiKey: null, users: [] };
    // Older .data/secrets.json files predate MASTER_KEYS: add one; it is kept from then on.
    secrets.masterKeys ??= `1:${randomBytes(32).toString("hex")}`;
    writeJsonAtomic(secretsFile, secrets);
    const vault = createCredentialVault({
      masterKeys: parseMasterKeys(secrets.masterKeys),
      dataPlaneToken: secrets.dataPlaneToken,
    });

    let databaseUrl = options.databaseUrl;
    let embedded: EmbeddedPostgres | null = null;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres({
        dataDir: path.join(options.dataDir, "pg"),
        port: ports.embeddedPostgres ?? 54329,
        log,
      });
      stops.push(() => embedded!.stop());
      databaseUrl = embedded.databaseUrl;
    }
    await createDatabaseIfMissing(databaseUrl);
    await migrateDatabase(databaseUrl);

    const mock = createMockProvider();
    const mockAddr = await mock.listen(ports.mockProvider ?? 8090, host);
    stops.push(() => mock.close());

    // Seed before the control plane starts so its first snapshot already has the demo key.
    const db = createDb(databaseUrl, { poolSize: 2 });
    try {
      const byRole = Object.fromEntries(secrets.users.map((u) => [u.role, u.password]));
      const seeded = await seedDemoData(db, {
        mockProviderUrl: mockAddr.url,
        passwords: byRole,
        vault,
        ...(secrets.demoApiKey ? { demoApiKey: secrets.demoApiKey } : {}),
      });
      secrets.demoApiKey = seeded.demoApiKey;
      for (const u of seeded.createdUsers) {
        secrets.users = secrets.users.filter((x) => x.email !== u.email);
        secrets.users.push({ email: u.email, password: u.password, role: u.role });
      }
    } finally {
      await db.$disconnect();
    }
    writeJsonAtomic(secretsFile, secrets);

    // The dashboard server runs in this process and reaches the control plane over `host`: only its
    // X-Forwarded-For is believed, never that of a client calling the control plane directly.
    const trustedProxies = ["127.0.0.1", "::1"];
    if (isIP(host) && host !== "0.0.0.0" && host !== "::") trustedProxies.push(host);
    const cp = await startControlPlane({
      DATABASE_URL: databaseUrl,
      REDIS_URL: options.redisUrl,
      CONTROL_PLANE_PORT: String(ports.controlPlane ?? 4000),
      CONTROL_PLANE_HOST: host,
      DATA_PLANE_TOKEN: secrets.dataPlaneToken,
      MASTER_KEYS: secrets.masterKeys,
      MIGRATE_ON_START: "false",
      TRUSTED_PROXIES: trustedProxies.join(","),
      LOG_LEVEL: options.logLevel ?? "warn",
    });
    stops.push(() => cp.close());

    const proxy = createProxy({
      controlPlaneUrl: cp.url,
      dataPlaneToken: secrets.dataPlaneToken,
      snapshotPath: path.join(options.dataDir, "proxy-snapshot.json"),
      usageSpoolDir: path.join(options.dataDir, "usage-spool"),
      redisUrl: options.redisUrl,
      // One terminal for everything: the proxy's routine info lines would bury the summary.
      logger: {
        info() {},
        warn: (message, fields) => log(`[proxy] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`),
        error: (message, fields) => log(`[proxy] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`),
      },
    });
    const proxyAddr = await proxy.listen(ports.proxy ?? 8080, host);
    stops.push(() => proxy.close());

    const dashboard = await startDashboardServer({
      port: ports.dashboard ?? 3000,
      host,
      controlPlaneUrl: cp.url,
      distDir: path.join(repoRoot, "apps", "dashboard", "dist"),
    });
    stops.push(() => dashboard.close());

    const info: QuickstartInfo = {
      dashboardUrl: dashboard.url,
      controlPlaneUrl: cp.url,
      proxyUrl: proxyAddr.url,
      mockProviderUrl: mockAddr.url,
      users: [...secrets.users].sort((a, b) => a.role.localeCompare(b.role)),
      demoApiKey: secrets.demoApiKey!,
      demoModel,
      database: embedded ? `embedded (${path.join(options.dataDir, "pg")})` : redactUrl(databaseUrl),
      redis: options.redisUrl ? redactUrl(options.redisUrl) : "in-process (single replica)",
    };
    writeJsonAtomic(path.join(options.dataDir, "quickstart.json"), info);
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
