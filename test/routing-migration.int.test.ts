/**
 * Proves the migration that turns models into aliases and deployments into the provider's
 * (20261204100000) on a database holding data of the shape before it: every old deployment becomes
 * a target of the model it belonged to, in the order the proxy used, carries its model's price and
 * kind, and a key's allowed models still name an alias that exists.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { republishSnapshot } from "../apps/control-plane/src/services/config/publish.ts";
import { createCredentialVault } from "../apps/control-plane/src/services/providers/vault.ts";
import { parseMasterKeys } from "../packages/core/src/crypto/seal.ts";
import { GatewayConfig } from "../packages/core/src/index.ts";
import {
  createDatabaseIfMissing,
  createDb,
  dropDatabase,
  poolConfigFromUrl,
  withDatabase,
} from "../packages/db/src/index.ts";

const migration = "20261204100000_routing_deployments_aliases";
const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const databaseUrl = withDatabase(
  inject("databaseUrl"),
  `${poolConfigFromUrl(inject("databaseUrl")).database}_routing_migration`,
);
const client = new pg.Client(poolConfigFromUrl(databaseUrl));

const ids = {
  org: "00000000-0000-4000-8000-000000000001",
  providerA: "00000000-0000-4000-8000-0000000000a1",
  providerB: "00000000-0000-4000-8000-0000000000b1",
  gpt4o: "00000000-0000-4000-8000-000000000011",
  embed: "00000000-0000-4000-8000-000000000012",
  alsoMini: "00000000-0000-4000-8000-000000000013",
  depFirst: "00000000-0000-4000-8000-000000000022",
  depSecond: "00000000-0000-4000-8000-000000000021",
  depEmbed: "00000000-0000-4000-8000-000000000023",
  depDuplicate: "00000000-0000-4000-8000-000000000024",
  key: "00000000-0000-4000-8000-000000000031",
};

async function applyMigration(name: string) {
  await client.query(readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"));
}

beforeAll(async () => {
  await dropDatabase(databaseUrl);
  await createDatabaseIfMissing(databaseUrl);
  await client.connect();
  const before = readdirSync(migrationsDir)
    .filter((d) => /^\d{14}_/.test(d) && d < migration)
    .sort();
  for (const name of before) await applyMigration(name);

  // Old-shape data: models with prices, each owning its deployments.
  await client.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Org')`, [ids.org]);
  await client.query(
    `INSERT INTO providers (id, org_id, name, kind, base_url, updated_at) VALUES
       ($1, $3, 'openai', 'openai', 'https://api.openai.com/v1', now()),
       ($2, $3, 'azure', 'openai', 'https://azure.example.com/v1', now())`,
    [ids.providerA, ids.providerB, ids.org],
  );
  await client.query(
    `INSERT INTO gateway_models (id, name, kind, input_micros_per_mtok, output_micros_per_mtok, created_at) VALUES
       ($1, 'gpt-4o', 'chat', 2500000, 10000000, '2026-01-01T00:00:00Z'),
       ($2, 'text-embed', 'embedding', 20000, 0, '2026-01-02T00:00:00Z'),
       ($3, 'also-gpt-4o', 'chat', 1, 2, '2026-01-03T00:00:00Z')`,
    [ids.gpt4o, ids.embed, ids.alsoMini],
  );
  // gpt-4o's second deployment is inserted first, created later and has the lower id: order is by created_at.
  await client.query(
    `INSERT INTO deployments (id, model_id, provider_id, upstream_model, connect_timeout_ms, first_byte_timeout_ms, total_timeout_ms, created_at) VALUES
       ($1, $5, $7, 'gpt-4o-2024', 1000, 2000, 30000, '2026-02-02T00:00:00Z'),
       ($2, $5, $8, 'gpt-4o', 5000, 60000, 600000, '2026-02-01T00:00:00Z'),
       ($3, $6, $8, 'text-embedding-3-small', 5000, 60000, 600000, '2026-02-03T00:00:00Z'),
       ($4, $9, $8, 'gpt-4o', 5000, 60000, 600000, '2026-02-04T00:00:00Z')`,
    [
      ids.depSecond,
      ids.depFirst,
      ids.depEmbed,
      ids.depDuplicate,
      ids.gpt4o,
      ids.embed,
      ids.providerB,
      ids.providerA,
      ids.alsoMini,
    ],
  );
  await client.query(
    `INSERT INTO api_keys (id, org_id, name, allowed_models, updated_at) VALUES ($1, $2, 'app', '{gpt-4o}', now())`,
    [ids.key, ids.org],
  );
  await client.query(
    `INSERT INTO api_key_secrets (id, key_id, hash, prefix) VALUES (gen_random_uuid(), $1, $2, 'sk-sy-old')`,
    [ids.key, "a".repeat(64)],
  );

  await applyMigration(migration);
});

afterAll(async () => {
  await client.end();
  await dropDatabase(databaseUrl);
});

describe(`migration ${migration}`, () => {
  it("makes every old deployment a target of its model, in created_at order", async () => {
    const { rows } = await client.query(
      `SELECT m.name, t.deployment_id, t.position, t.weight, m.strategy, m.version
       FROM alias_targets t JOIN gateway_models m ON m.id = t.model_id
       ORDER BY m.name, t.position`,
    );
    expect(rows).toEqual([
      // The duplicate (same provider and upstream model) now shares the earliest deployment.
      {
        name: "also-gpt-4o",
        deployment_id: ids.depFirst,
        position: 0,
        weight: 1,
        strategy: "priority",
        version: 1,
      },
      {
        name: "gpt-4o",
        deployment_id: ids.depFirst,
        position: 0,
        weight: 1,
        strategy: "priority",
        version: 1,
      },
      {
        name: "gpt-4o",
        deployment_id: ids.depSecond,
        position: 1,
        weight: 1,
        strategy: "priority",
        version: 1,
      },
      {
        name: "text-embed",
        deployment_id: ids.depEmbed,
        position: 0,
        weight: 1,
        strategy: "priority",
        version: 1,
      },
    ]);
  });

  it("keeps deployment ids and timeouts, and gives each its model's price and kind", async () => {
    const { rows } = await client.query(
      `SELECT id, provider_id, upstream_model, kind::text AS kind, input_micros_per_mtok::text AS input,
              output_micros_per_mtok::text AS output, connect_timeout_ms, first_byte_timeout_ms,
              total_timeout_ms, first_token_timeout_ms, between_chunks_timeout_ms, tags, version
       FROM deployments ORDER BY created_at`,
    );
    expect(rows).toEqual([
      {
        id: ids.depFirst,
        provider_id: ids.providerA,
        upstream_model: "gpt-4o",
        kind: "chat",
        input: "2500000",
        output: "10000000",
        connect_timeout_ms: 5000,
        first_byte_timeout_ms: 60000,
        total_timeout_ms: 600000,
        first_token_timeout_ms: null,
        between_chunks_timeout_ms: null,
        tags: [],
        version: 1,
      },
      {
        id: ids.depSecond,
        provider_id: ids.providerB,
        upstream_model: "gpt-4o-2024",
        kind: "chat",
        input: "2500000",
        output: "10000000",
        connect_timeout_ms: 1000,
        first_byte_timeout_ms: 2000,
        total_timeout_ms: 30000,
        first_token_timeout_ms: null,
        between_chunks_timeout_ms: null,
        tags: [],
        version: 1,
      },
      {
        id: ids.depEmbed,
        provider_id: ids.providerA,
        upstream_model: "text-embedding-3-small",
        kind: "embedding",
        input: "20000",
        output: "0",
        connect_timeout_ms: 5000,
        first_byte_timeout_ms: 60000,
        total_timeout_ms: 600000,
        first_token_timeout_ms: null,
        between_chunks_timeout_ms: null,
        tags: [],
        version: 1,
      },
    ]);
    const columns = await client.query(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE (table_name = 'deployments' AND column_name = 'model_id')
          OR (table_name = 'gateway_models' AND column_name LIKE '%micros%')`,
    );
    expect(columns.rows).toEqual([]);
  });

  it("leaves keys naming an alias that still exists", async () => {
    const { rows } = await client.query(
      `SELECT k.allowed_models, m.name FROM api_keys k
       JOIN gateway_models m ON m.name = ANY (k.allowed_models) WHERE k.id = $1`,
      [ids.key],
    );
    expect(rows).toEqual([{ allowed_models: ["gpt-4o"], name: "gpt-4o" }]);
  });

  it("compiles a snapshot in which the key's model routes to the old deployments, first one first, at the old price", async () => {
    const db = createDb(databaseUrl, { poolSize: 1 });
    try {
      const vault = createCredentialVault({
        masterKeys: parseMasterKeys(`1:${"cd".repeat(32)}`),
        dataPlaneToken: "routing-migration-test-token-0123",
      });
      const version = await republishSnapshot(db, vault);
      const row = await db.configSnapshot.findUniqueOrThrow({ where: { version } });
      const config = GatewayConfig.parse(row.config);
      expect(config.keys.find((k) => k.id === ids.key)?.allowedModels).toEqual(["gpt-4o"]);
      const model = config.models.find((m) => m.name === "gpt-4o");
      expect(model).toMatchObject({
        kind: "chat",
        strategy: "priority",
        pricing: { inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 },
      });
      expect(model?.deployments.map((d) => [d.id, d.upstreamModel, d.weight, d.timeouts.totalMs])).toEqual([
        [ids.depFirst, "gpt-4o", 1, 600_000],
        [ids.depSecond, "gpt-4o-2024", 1, 30_000],
      ]);
      expect(config.models.map((m) => m.name)).toEqual(["also-gpt-4o", "gpt-4o", "text-embed"]);
    } finally {
      await db.$disconnect();
    }
  });

  it("refuses a second deployment of the same provider and upstream model, and deleting a deployment in use", async () => {
    await expect(
      client.query(
        `INSERT INTO deployments (id, provider_id, upstream_model) VALUES (gen_random_uuid(), $1, 'gpt-4o')`,
        [ids.providerA],
      ),
    ).rejects.toThrow(/deployments_provider_id_upstream_model_key/);
    await expect(client.query(`DELETE FROM deployments WHERE id = $1`, [ids.depSecond])).rejects.toThrow(
      /alias_targets_deployment_id_fkey/,
    );
  });
});
