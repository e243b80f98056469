/** The one place that knows how to connect to Postgres through Prisma. */
import { PrismaClient } from "./generated/client.ts";
import { poolConfigFromUrl } from "./pool-config.ts";
import { SerialTransactionsPg } from "./serial-transactions.ts";

export { sqlMessageOf, sqlStateOf } from "./errors.ts";
export * from "./generated/client.ts";
export { createDatabaseIfMissing, dropDatabase, migrateDatabase } from "./migrate.ts";
export { poolConfigFromUrl, withDatabase } from "./pool-config.ts";

export type Db = PrismaClient;
/** A Prisma interactive-transaction client, as passed to `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export function createDb(databaseUrl: string, options: { poolSize?: number } = {}): Db {
  const adapter = new SerialTransactionsPg(poolConfigFromUrl(databaseUrl, options.poolSize ?? 10));
  return new PrismaClient({ adapter });
}
