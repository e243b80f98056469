/**
 * The proxy's environment, parsed once at start-up with the shared parser (an empty value means
 * unset): a bad or missing variable stops the process with a message naming it. Nothing else in
 * the proxy reads `process.env`.
 */
import { EnvError, envPort, parseEnvironment } from "@switchyard/core/env";
import { z } from "zod";

export { EnvError };

const milliseconds = z.coerce.number({ error: "must be a number of milliseconds" }).int().positive();

const ProxyEnvShape = {
  PROXY_PORT: envPort(8080),
  PROXY_HOST: z.string().min(1).default("127.0.0.1"),
  CONTROL_PLANE_URL: z.url({
    protocol: /^https?$/,
    error: "must be an http(s) URL, e.g. http://127.0.0.1:4000",
  }),
  DATA_PLANE_TOKEN: z.string({ error: "is required" }).min(16, { error: "must be at least 16 characters" }),
  PROXY_SNAPSHOT_PATH: z.string().min(1).default(".data/proxy-snapshot.json"),
  PROXY_MAX_BODY_BYTES: z.coerce
    .number({ error: "must be a number of bytes" })
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Shared rate-limit state across replicas; unset = in-process limits (a single replica). */
  REDIS_URL: z
    .url({
      protocol: /^rediss?$/,
      error: "must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379",
    })
    .optional(),
  /** Undelivered usage batches wait here for the control plane, across restarts. */
  PROXY_USAGE_SPOOL_DIR: z.string().min(1).default(".data/usage-spool"),
  /** A client must send its whole request head within this (slow-header attacks are cut). */
  PROXY_HEADERS_TIMEOUT_MS: milliseconds.default(10_000),
  /** ... and its whole request, body included, within this. */
  PROXY_REQUEST_TIMEOUT_MS: milliseconds.default(30_000),
  /** Open client connections at most; past it new connections are refused. */
  PROXY_MAX_CONNECTIONS: z.coerce
    .number({ error: "must be a number of connections" })
    .int()
    .positive()
    .default(10_000),
  /** Tokens a request without max_tokens reserves for its completion against a key's tpm limit. */
  PROXY_TPM_COMPLETION_RESERVE: z.coerce
    .number({ error: "must be a number of tokens" })
    .int()
    .min(0)
    .default(1024),
};

const crossChecks = <T extends z.ZodObject<typeof ProxyEnvShape>>(schema: T) =>
  schema.refine((env) => env.PROXY_HEADERS_TIMEOUT_MS <= env.PROXY_REQUEST_TIMEOUT_MS, {
    path: ["PROXY_HEADERS_TIMEOUT_MS"],
    error: "must not exceed PROXY_REQUEST_TIMEOUT_MS",
  });

export const ProxyEnv = crossChecks(z.object(ProxyEnvShape));
export type ProxyEnv = z.infer<typeof ProxyEnv>;

/** Parses `env`; throws an EnvError listing every bad variable and what is wrong with it. */
export function parseProxyEnv(env: Record<string, string | undefined>): ProxyEnv {
  return parseEnvironment({ service: "the proxy", shape: ProxyEnvShape, source: env, refine: crossChecks });
}
