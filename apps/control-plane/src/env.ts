/**
 * The control plane's environment, parsed once at start-up with the shared parser (an empty value
 * means unset); nothing else reads process.env.
 */
import { parseMasterKeys } from "@switchyard/core/crypto/seal";
import { envFlag, envIntervalSeconds, envPort, parseEnvironment } from "@switchyard/core/env";
import { z } from "zod";
import { parseTrustedProxies } from "./client-ip.ts";

const hours = (max: number) =>
  z.coerce
    .number({ error: `must be a number of hours above 0, at most ${max}` })
    .positive({ error: `must be a number of hours above 0, at most ${max}` })
    .max(max, { error: `must be at most ${max} hours` });

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export const ControlPlaneEnvShape = {
  DATABASE_URL: z
    .string({ error: "is required: the Postgres URL, e.g. postgresql://postgres@127.0.0.1:5432/switchyard" })
    .regex(/^postgres(ql)?:\/\//, "must start with postgresql://"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379")
    .optional(),
  CONTROL_PLANE_PORT: envPort(4000),
  CONTROL_PLANE_HOST: z.string().default("127.0.0.1"),
  /** How much the control plane logs (JSON lines on stdout). */
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(", ")}` }).default("info"),
  DATA_PLANE_TOKEN: z
    .string({ error: "is required: a shared secret of at least 16 characters that proxies present" })
    .min(16, "must be at least 16 characters"),
  /** Versioned master keys provider credentials are sealed with at rest: `1:<64 hex>[,2:<64 hex>…]`. */
  MASTER_KEYS: z
    .string({
      error: "is required: comma-separated version:key pairs, e.g. 1:$(openssl rand -hex 32)",
    })
    .min(1, "is required: comma-separated version:key pairs, e.g. 1:$(openssl rand -hex 32)")
    .transform((value, ctx) => {
      try {
        return parseMasterKeys(value);
      } catch (err) {
        // parseMasterKeys names the variable itself; the path already does, so drop it.
        const message = err instanceof Error ? err.message.replace(/^MASTER_KEYS\s+/, "") : String(err);
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
    }),
  SESSION_TTL_HOURS: hours(24 * 30).default(12),
  /** Absolute lifetime of a session: past it, sign in again however active the session has been. */
  SESSION_MAX_LIFETIME_HOURS: hours(24 * 365).default(24 * 7),
  COOKIE_SECURE: envFlag(false),
  MIGRATE_ON_START: envFlag(true),
  SEED_DEMO_DATA: envFlag(false),
  /**
   * The proxies whose X-Forwarded-For is believed (the dashboard server, a load balancer): IPs and
   * CIDR ranges, comma-separated. Unset: none, the socket's address is the client's.
   */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((value, ctx) => {
      try {
        return parseTrustedProxies(value);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
        return z.NEVER;
      }
    }),
  /** Replaced by TRUSTED_PROXIES: a number of hops let a client that skips the proxies pick its IP. */
  TRUST_PROXY: z
    .string()
    .max(0, "is no longer read: set TRUSTED_PROXIES to the proxies' addresses instead (e.g. 127.0.0.1,::1)")
    .optional(),
  /**
   * Origins, besides the request's own host, whose browsers may call /trpc (comma-separated, e.g.
   * https://gateway.example.com): for a proxy in front that rewrites Host and sets no X-Forwarded-Host.
   */
  DASHBOARD_ORIGINS: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const origins: string[] = [];
      for (const entry of value.split(",").map((o) => o.trim())) {
        if (entry === "") continue;
        const url = URL.parse(entry);
        if (
          !url ||
          !/^https?:$/.test(url.protocol) ||
          url.origin !== entry.replace(/\/$/, "").toLowerCase()
        ) {
          ctx.addIssue({
            code: "custom",
            message: `"${entry}" is not an origin: write scheme, host and port only, e.g. https://gateway.example.com`,
          });
          return z.NEVER;
        }
        origins.push(url.origin);
      }
      return origins;
    }),
  /** Where the demo seed (SEED_DEMO_DATA) points its provider. */
  MOCK_PROVIDER_URL: z.url("must be a URL, e.g. http://127.0.0.1:8090").default("http://127.0.0.1:8090"),
  /** How long a config long-poll is held before answering 304. */
  CONFIG_LONG_POLL_SECONDS: z.coerce
    .number({ error: "must be a number of seconds from 1 to 120" })
    .int({ error: "must be a whole number of seconds from 1 to 120" })
    .min(1, { error: "must be a number of seconds from 1 to 120" })
    .max(120, { error: "must be a number of seconds from 1 to 120" })
    .default(25),
  /** How often the scheduled key rotation job looks for due keys; 0 disables it on this replica. */
  KEY_ROTATION_INTERVAL_SECONDS: envIntervalSeconds(60),
  /** How many config snapshots are kept, newest first (each holds every sealed provider credential). */
  CONFIG_SNAPSHOTS_KEPT: z.coerce
    .number()
    .int()
    .min(1, "must be at least 1: the head snapshot is always kept")
    .max(1_000_000)
    .default(100),
  /** How often the snapshot retention job prunes older snapshots; 0 disables it on this replica. */
  CONFIG_SNAPSHOT_RETENTION_INTERVAL_SECONDS: envIntervalSeconds(600),
  /**
   * How often the credential overlap job looks for rotated-out provider credentials whose overlap
   * has ended (it also wakes when the next one ends); 0 disables it on this replica.
   */
  CREDENTIAL_OVERLAP_INTERVAL_SECONDS: envIntervalSeconds(15),
};
export const ControlPlaneEnv = z.object(ControlPlaneEnvShape);
export type ControlPlaneEnv = z.infer<typeof ControlPlaneEnv>;

/** Parses the environment or throws one readable EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): ControlPlaneEnv {
  return parseEnvironment({ service: "the control plane", shape: ControlPlaneEnvShape, source });
}
