/**
 * The one environment parser of every service and the launcher, on @t3-oss/env-core: each service
 * keeps its own zod shape, and all of them read a variable the same way. An empty value
 * (`CONTROL_PLANE_PORT=`, a blank line in an .env file or in compose) means unset, so the default
 * applies; a bad value stops the service with one message naming each variable and what to write.
 */
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvError";
  }
}

export type EnvShape = Record<string, z.ZodType>;
export type EnvSource = Record<string, string | undefined>;

type Issue = {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined;
  /** zod's issue code, which the standard-schema issue carries along. */
  code?: unknown;
};

function variableOf(issue: Issue): string {
  const first = issue.path?.[0];
  if (first === undefined) return "environment";
  return String(typeof first === "object" ? first.key : first);
}

/**
 * A missing variable "is required" (or the schema's own "is required: …" hint); zod's generic
 * wording ("Invalid input: …") is kept only as a detail.
 */
function describe(issue: Issue, source: EnvSource): string {
  const name = variableOf(issue);
  const unset = source[name] === undefined || source[name] === "";
  if (unset && (issue.code === "invalid_type" || issue.message.startsWith("Invalid input"))) {
    return issue.message.startsWith("is required") ? issue.message : "is required";
  }
  if (issue.message.startsWith("Invalid input")) return `is not valid (${issue.message})`;
  return issue.message;
}

/**
 * Parses `source` (process.env, or a test's object) against `shape`, with `refine` for rules that
 * span variables. Throws an EnvError that starts "Invalid environment for <service>:" and lists
 * every bad variable, one a line.
 */
export function parseEnvironment<
  Shape extends EnvShape,
  Out extends object = z.output<z.ZodObject<Shape>>,
>(options: {
  /** Who reads it, as the message says it: "the control plane", "the proxy". */
  service: string;
  shape: Shape;
  source: EnvSource;
  refine?: (schema: z.ZodObject<Shape>) => z.ZodType<Out, object>;
}): Out {
  const { service, shape, source, refine } = options;
  const env = createEnv({
    server: shape,
    // A copy: emptyStringAsUndefined deletes the empty entries from the object it is given.
    runtimeEnv: { ...source },
    emptyStringAsUndefined: true,
    isServer: true,
    createFinalSchema: (fields) => {
      const schema = z.object(fields as Shape);
      return refine ? refine(schema) : schema;
    },
    onValidationError(issues) {
      const lines = issues.map((issue) => `  ${variableOf(issue)} ${describe(issue, source)}`);
      throw new EnvError(`Invalid environment for ${service}:\n${lines.join("\n")}`);
    },
  });
  // A plain object, not env-core's Proxy: services spread and compare it.
  return { ...env } as Out;
}

/** A port number; empty or unset gives `fallback`. */
export const envPort = (fallback: number) =>
  z.coerce
    .number({ error: "must be a port number (0-65535)" })
    .int({ error: "must be a port number (0-65535)" })
    .min(0, { error: "must be a port number (0-65535)" })
    .max(65_535, { error: "must be a port number (0-65535)" })
    .default(fallback);

/** A true/false switch (`true`, `false`, `1`, `0`); empty or unset gives `fallback`. */
export const envFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"], { error: "must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .default(fallback);

/**
 * A job interval in seconds: 0 turns the job off on this replica; empty or unset gives `fallback`.
 */
export const envIntervalSeconds = (fallback: number, max = 86_400) =>
  z.coerce
    .number({ error: `must be a number of seconds (0 turns the job off, at most ${max})` })
    .int({ error: `must be a whole number of seconds (0 turns the job off, at most ${max})` })
    .min(0, { error: `must be a number of seconds (0 turns the job off, at most ${max})` })
    .max(max, { error: `must be at most ${max} seconds (0 turns the job off)` })
    .default(fallback);
