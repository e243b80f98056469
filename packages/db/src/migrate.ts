/**
 * Applies the committed migrations in prisma/migrations at start-up and in tests, through the
 * Prisma CLI (`migrate deploy`), which runs on the JS engine with the patched pg adapter.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { poolConfigFromUrl } from "./pool-config.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const prismaBin = fileURLToPath(new URL("../node_modules/.bin/prisma", import.meta.url));
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const child = spawn(prismaBin, ["migrate", "deploy"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output}`));
    });
  });
}

async function withAdminClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const config = { ...poolConfigFromUrl(databaseUrl), database: "postgres" };
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createDatabaseIfMissing(databaseUrl: string): Promise<void> {
  const { database } = poolConfigFromUrl(databaseUrl);
  await withAdminClient(databaseUrl, async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { database } = poolConfigFromUrl(databaseUrl);
  await withAdminClient(databaseUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`);
  });
}
