/**
 * `pnpm start`: builds what is missing and runs the whole product on its embedded defaults
 * (or on DATABASE_URL / REDIS_URL when set), prints the URLs and demo logins, and writes them to
 * .data/quickstart.json. Ctrl-C stops everything.
 */
import path from "node:path";
import { EnvError, envPort, parseEnvironment } from "@switchyard/core/env";
import { z } from "zod";
import { ensureDashboardBuilt, repoRoot, startStack } from "./stack.ts";

/** What the launcher reads, with the shared parser: an empty variable means unset, as everywhere. */
const LauncherEnvShape = {
  DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      "must start with postgresql:// (or leave it unset for the embedded Postgres)",
    )
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// (or leave it unset for in-process state)")
    .optional(),
  SWITCHYARD_DATA_DIR: z.string().default(path.join(repoRoot, ".data")),
  HOST: z.string().default("127.0.0.1"),
  DASHBOARD_PORT: envPort(3000),
  CONTROL_PLANE_PORT: envPort(4000),
  PROXY_PORT: envPort(8080),
  MOCK_PROVIDER_PORT: envPort(8090),
  EMBEDDED_PG_PORT: envPort(54329),
  /** The in-process control plane's JSON log lines: warnings and errors only, under the summary. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
};

let env: z.output<z.ZodObject<typeof LauncherEnvShape>>;
try {
  env = parseEnvironment({ service: "pnpm start", shape: LauncherEnvShape, source: process.env });
} catch (err) {
  if (!(err instanceof EnvError)) throw err;
  console.error(err.message);
  process.exit(1);
}

try {
  ensureDashboardBuilt(console.log);
  const stack = await startStack({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    dataDir: env.SWITCHYARD_DATA_DIR,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    ports: {
      dashboard: env.DASHBOARD_PORT,
      controlPlane: env.CONTROL_PLANE_PORT,
      proxy: env.PROXY_PORT,
      mockProvider: env.MOCK_PROVIDER_PORT,
      embeddedPostgres: env.EMBEDDED_PG_PORT,
    },
  });
  const i = stack.info;
  const width = Math.max(0, ...i.users.map((u) => u.email.length));
  console.log(`
Switchyard is running.

  Dashboard      ${i.dashboardUrl}
  Proxy          ${i.proxyUrl}/v1   (OpenAI-compatible)
  Control plane  ${i.controlPlaneUrl}
  Mock provider  ${i.mockProviderUrl}/v1
  Database       ${i.database}
  Redis          ${i.redis}

  Sign in as:
${
  i.users.length > 0
    ? i.users.map((u) => `    ${u.role.padEnd(9)} ${u.email.padEnd(width)}  ${u.password}`).join("\n")
    : "    (the demo users already existed in this database, so their passwords are not known here)"
}

  Try the proxy:
    curl ${i.proxyUrl}/v1/chat/completions \\
      -H "Authorization: Bearer ${i.demoApiKey}" -H "Content-Type: application/json" \\
      -d '{"model":"${i.demoModel}","messages":[{"role":"user","content":"Hello"}]}'

  (All of this is in ${path.join(env.SWITCHYARD_DATA_DIR, "quickstart.json")}.) Press Ctrl-C to stop.
`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping...");
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} catch (err) {
  console.error(`Switchyard could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
