/**
 * Proves `prisma migrate dev` works on these machines for the next migration a developer
 * writes: JS schema engine, the patched pg adapter (introspection of `name`/`"char"` columns,
 * shadow database dropped after its pool ends), no native engine download. The database starts
 * empty, so the CLI first applies the existing migrations and then diffs the new model: the path
 * that needs the patched CLI (patches/prisma@6.19.3.patch, docs/adr/0002-prisma-js-engine-offline.md).
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  createDatabaseIfMissing,
  dropDatabase,
  poolConfigFromUrl,
  withDatabase,
} from "../packages/db/src/index.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const work = path.join(root, ".data", `migrate-dev-probe-${process.pid}`);
const databaseUrl = withDatabase(
  inject("databaseUrl"),
  `${poolConfigFromUrl(inject("databaseUrl")).database}_migrate_dev`,
);

async function shadowDatabases(): Promise<string[]> {
  const client = new pg.Client({ ...poolConfigFromUrl(databaseUrl), database: "postgres" });
  await client.connect();
  try {
    const r = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    );
    return r.rows.map((x) => x.datname);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await dropDatabase(databaseUrl);
});

describe("prisma migrate dev", () => {
  it("creates and applies a new migration from a schema change, offline, and drops its shadow database", async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    cpSync(path.join(root, "prisma", "migrations"), path.join(work, "migrations"), { recursive: true });
    const schema = readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8").replace(
      /output\s*=\s*"[^"]+"/,
      `output = "${path.join(work, "generated")}"`,
    );
    writeFileSync(
      path.join(work, "schema.prisma"),
      `${schema}\nmodel MigrateProbe {\n  id   Int    @id @default(autoincrement())\n  note String @db.VarChar(40)\n\n  @@map("migrate_probe")\n}\n`,
    );
    const adapter = pathToFileURL(
      path.join(root, "node_modules", "@prisma", "adapter-pg", "dist", "index.mjs"),
    ).href;
    const poolConfig = pathToFileURL(path.join(root, "packages", "db", "src", "pool-config.ts")).href;
    writeFileSync(
      path.join(work, "prisma.config.ts"),
      `import { PrismaPg } from ${JSON.stringify(adapter)};
import { poolConfigFromUrl } from ${JSON.stringify(poolConfig)};
export default {
  experimental: { adapter: true },
  engine: "js",
  schema: ${JSON.stringify(path.join(work, "schema.prisma"))},
  migrations: { path: ${JSON.stringify(path.join(work, "migrations"))} },
  async adapter() { return new PrismaPg(poolConfigFromUrl(process.env.DATABASE_URL)); },
};
`,
    );
    await createDatabaseIfMissing(databaseUrl);
    const shadowsBefore = await shadowDatabases();

    const { stdout, stderr } = await run(
      path.join(root, "node_modules", ".bin", "prisma"),
      [
        "migrate",
        "dev",
        "--name",
        "probe",
        "--skip-generate",
        "--config",
        path.join(work, "prisma.config.ts"),
      ],
      {
        cwd: work,
        env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1", CI: "" },
        timeout: 120_000,
      },
    );
    const output = stdout + stderr;
    expect(output).not.toMatch(/binaries\.prisma\.sh/);

    const created = readdirSync(path.join(work, "migrations")).filter((d) => d.endsWith("_probe"));
    expect(created).toHaveLength(1);
    const sql = readFileSync(path.join(work, "migrations", created[0]!, "migration.sql"), "utf8");
    expect(sql).toContain('CREATE TABLE "migrate_probe"');
    expect(existsSync(path.join(work, "generated"))).toBe(false);

    const client = new pg.Client(poolConfigFromUrl(databaseUrl));
    await client.connect();
    const applied = await client.query(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name",
    );
    const probe = await client.query("SELECT to_regclass('public.migrate_probe') AS t");
    await client.end();
    expect(applied.rows.map((r) => r.migration_name)).toContain(created[0]);
    expect(probe.rows[0].t).toBe("migrate_probe");
    expect(await shadowDatabases()).toEqual(shadowsBefore);
  }, 180_000);
});
