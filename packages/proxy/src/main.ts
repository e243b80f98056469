/**
 * The proxy process: parse the environment, start serving, and shut down gracefully on SIGINT or
 * SIGTERM (stop accepting, let in-flight requests finish, stop polling the control plane).
 */
import { EnvError, parseProxyEnv } from "./env.ts";
import { createProxy } from "./index.ts";
import { jsonLogger } from "./logger.ts";

let env: ReturnType<typeof parseProxyEnv>;
try {
  env = parseProxyEnv(process.env);
} catch (err) {
  if (!(err instanceof EnvError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

const proxy = createProxy({
  controlPlaneUrl: env.CONTROL_PLANE_URL,
  dataPlaneToken: env.DATA_PLANE_TOKEN,
  snapshotPath: env.PROXY_SNAPSHOT_PATH,
  maxBodyBytes: env.PROXY_MAX_BODY_BYTES,
  redisUrl: env.REDIS_URL,
  usageSpoolDir: env.PROXY_USAGE_SPOOL_DIR,
  headersTimeoutMs: env.PROXY_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: env.PROXY_REQUEST_TIMEOUT_MS,
  maxConnections: env.PROXY_MAX_CONNECTIONS,
  completionReserveTokens: env.PROXY_TPM_COMPLETION_RESERVE,
  logger: jsonLogger,
});

const { url } = await proxy.listen(env.PROXY_PORT, env.PROXY_HOST);
jsonLogger.info("proxy listening", { url, controlPlaneUrl: env.CONTROL_PLANE_URL });

let shuttingDown = false;
function onSignal(signal: NodeJS.Signals): void {
  if (shuttingDown) {
    jsonLogger.warn("second signal; exiting now", { signal });
    process.exit(1);
  }
  shuttingDown = true;
  jsonLogger.info("shutting down", { signal });
  proxy.close().then(
    () => process.exit(0),
    (err: unknown) => {
      jsonLogger.error("shutdown failed", { error: String(err) });
      process.exit(1);
    },
  );
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
