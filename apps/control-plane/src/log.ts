/**
 * The control plane's logger: pino, one JSON object a line on stdout, at LOG_LEVEL (set from the
 * parsed environment at start-up). A line written while a tRPC request is handled carries that
 * request's id, wherever in the code it is written. Secrets are redacted by key name at any of the
 * first three levels of a line's fields, so a whole request, error or input can be logged safely.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

/** Field names whose values never reach a log line. */
const secretKeys = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "password",
  "currentPassword",
  "newPassword",
  "passwordHash",
  "secret",
  "newSecret",
  "apiKey",
  "demoApiKey",
  "token",
  "dataPlaneToken",
  "DATA_PLANE_TOKEN",
  "masterKeys",
  "MASTER_KEYS",
  "credential",
  "credentials",
  "ciphertext",
  "DATABASE_URL",
  "REDIS_URL",
];

const quoted = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`);
const join = (prefix: string, key: string) => (key.startsWith("[") ? `${prefix}${key}` : `${prefix}.${key}`);

/** `password`, `*.password`, `*.*.password`: pino's redaction matches exact paths. */
export const redactPaths = secretKeys.flatMap((name) => {
  const key = quoted(name);
  return [key, join("*", key), join("*.*", key)];
});

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` with every log line it (or anything it awaits) writes carrying `requestId`. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestContext.run({ requestId }, fn);
}

/** The id of the tRPC request being handled here, if any. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? "info",
    base: { service: "control-plane" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactPaths, censor: "[redacted]" },
    mixin: () => requestContext.getStore() ?? {},
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** The logger every part of the control plane imports: `log.info({ keyId }, "key rotated")`. */
export const log: Logger = createLogger();
