/**
 * Structured logs for lifecycle events (start, config reloads, control-plane outages). Requests are
 * never logged one by one: metrics and, later, usage events cover them.
 */
export type LogFields = Record<string, unknown>;
export type Logger = {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
};

function line(level: string, message: string, fields: LogFields | undefined): string {
  return `${JSON.stringify({ time: new Date().toISOString(), level, service: "proxy", message, ...fields })}\n`;
}

/** JSON lines on stdout (info) and stderr (warn, error). */
export const jsonLogger: Logger = {
  info: (message, fields) => void process.stdout.write(line("info", message, fields)),
  warn: (message, fields) => void process.stderr.write(line("warn", message, fields)),
  error: (message, fields) => void process.stderr.write(line("error", message, fields)),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    return { error: err.message, ...(code === undefined ? {} : { code }) };
  }
  return { error: String(err) };
}
