/** Prisma CLI config: the JS engine over @prisma/adapter-pg, so no native engine binary is needed. */
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaConfig } from "prisma";
import { poolConfigFromUrl } from "./packages/db/src/pool-config.ts";

const databaseUrl = process.env.DATABASE_URL;
// The CLI parses the schema's env("DATABASE_URL") before it decides which engines it needs; when
// the variable is missing that parse fails and it falls back to downloading a native engine,
// which air-gapped machines cannot. Commands that need no database (generate, validate, format)
// get a placeholder; commands that do are stopped by adapter() below with a clear message.
process.env.DATABASE_URL ??= "postgresql://placeholder@127.0.0.1:5432/placeholder";

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "node prisma/seed.ts" },
  async adapter() {
    if (!databaseUrl) {
      throw new Error(
        "DATABASE_URL is not set: point it at the Postgres database, e.g. postgresql://postgres@127.0.0.1:5432/switchyard",
      );
    }
    return new PrismaPg(poolConfigFromUrl(databaseUrl));
  },
} satisfies PrismaConfig;
