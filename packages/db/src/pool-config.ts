/**
 * Turns DATABASE_URL into discrete node-postgres settings. The adapter's shadow-database
 * connection overrides `database`, which a `connectionString` would silently win over.
 */
export type PgPoolConfig = {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  max?: number;
  ssl?: boolean | { rejectUnauthorized: boolean };
};

export function poolConfigFromUrl(databaseUrl: string, max?: number): PgPoolConfig {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error(
      "DATABASE_URL is not a valid URL: expected postgresql://user:password@host:5432/database",
    );
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new Error(`DATABASE_URL must start with postgresql://, not ${url.protocol}//`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database) throw new Error("DATABASE_URL names no database: add /<database> after the host");
  const sslmode = url.searchParams.get("sslmode");
  const config: PgPoolConfig = {
    host: url.hostname || "127.0.0.1",
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username || "postgres"),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
  };
  if (max !== undefined) config.max = max;
  if (sslmode === "require" || sslmode === "verify-full" || sslmode === "verify-ca") {
    config.ssl = { rejectUnauthorized: sslmode !== "require" };
  }
  return config;
}

/** The same server, another database: used by tests and the quick start to create databases. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
