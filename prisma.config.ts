/** Prisma CLI config: the JS engine over @prisma/adapter-pg, so no native engine binary is needed. */
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaConfig } from "prisma";
import { poolConfigFromUrl } from "./packages/db/src/pool-config.ts";

export default {
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "node prisma/seed.ts" },
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: point it at the Postgres database to migrate");
    return new PrismaPg(poolConfigFromUrl(url));
  },
} satisfies PrismaConfig;
