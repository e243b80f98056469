/**
 * The data-plane API, written once: what proxies send the control plane and what it answers.
 * The control plane's endpoints, the proxy's client side, the proxy's test stand-in and the
 * benchmark's config server all take their paths, query parameters, bodies, statuses and defaults
 * from here, and one contract suite (`./contract-suite.ts`) runs against the real endpoints and the
 * stand-in, so the proxy's tests exercise the control plane it will really meet.
 *
 * Every call carries `Authorization: Bearer <DATA_PLANE_TOKEN>`; every refusal is
 * `{"error":{"code","message"}}` with a message that says what to fix.
 */
import { z } from "zod";
import { maxUsageBatch, UsageEvent, usageEventTimeProblem } from "../usage/event.ts";

export const dataPlaneBasePath = "/data-plane/v1";

export const dataPlanePaths = {
  config: `${dataPlaneBasePath}/config`,
  usage: `${dataPlaneBasePath}/usage`,
  alerts: `${dataPlaneBasePath}/alerts`,
} as const;
export type DataPlaneEndpoint = keyof typeof dataPlanePaths;

export const dataPlaneMethods = {
  config: "GET",
  usage: "POST",
  alerts: "POST",
} as const satisfies Record<DataPlaneEndpoint, string>;

/** Every status each endpoint answers (500 aside). */
export const dataPlaneStatus = {
  config: { snapshot: 200, unchanged: 304, invalid: 400, unauthenticated: 401 },
  usage: { ingested: 200, invalid: 400, unauthenticated: 401, tooLarge: 413 },
  /** 404: the alert names a provider the control plane does not have (deleted since the snapshot). */
  alerts: { accepted: 202, invalid: 400, unauthenticated: 401, unknownProvider: 404 },
} as const satisfies Record<DataPlaneEndpoint, Record<string, number>>;

export const DataPlaneErrorCode = z.enum([
  "unauthenticated",
  "invalid_request",
  "payload_too_large",
  "not_found",
]);
export type DataPlaneErrorCode = z.infer<typeof DataPlaneErrorCode>;

export const DataPlaneErrorBody = z.object({
  error: z.object({ code: DataPlaneErrorCode, message: z.string().min(1) }),
});
export type DataPlaneErrorBody = z.infer<typeof DataPlaneErrorBody>;

export function dataPlaneError(code: DataPlaneErrorCode, message: string): DataPlaneErrorBody {
  return { error: { code, message } };
}

/** The 401 every endpoint answers without the data-plane token. */
export const unauthenticatedError = dataPlaneError(
  "unauthenticated",
  "Send Authorization: Bearer <DATA_PLANE_TOKEN>",
);

/** `issues` as "path: message; ..." (at most five), each path under `prefix`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter((p) => p !== "").join(".");
      return path === "" ? i.message : `${path}: ${i.message}`;
    })
    .join("; ");
}

// ---------------------------------------------------------------------------------------------
// GET /data-plane/v1/config?after=<version>[&lineage=<id>][&wait=<seconds>]

export const configQueryParams = { after: "after", lineage: "lineage", wait: "wait" } as const;

/** `after` when absent: versions start at 1, so a proxy holding nothing is sent whatever is current. */
export const defaultConfigAfter = 0;

/** The header of a 200 that names the snapshot's version. */
export const configVersionHeader = "x-config-version";

const afterMessage = "must be a non-negative integer version";
const waitMessage = "must be a number of seconds >= 0";

/**
 * The long-poll's query. `after`: the version the proxy enforces. `lineage`: the id of the history
 * that version belongs to (absent when the proxy holds none). `wait`: the longest the proxy wants
 * the request held; absent, or past the control plane's own hold, means that hold.
 */
export const ConfigPollQuery = z.object({
  after: z
    .string()
    .regex(/^\d+$/, afterMessage)
    .transform(Number)
    .refine(Number.isSafeInteger, afterMessage)
    .optional()
    .transform((after) => after ?? defaultConfigAfter),
  lineage: z.uuid("must be the lineage of the proxy's snapshot (a UUID)").optional(),
  wait: z
    .string()
    .regex(/^\d+(\.\d+)?$/, waitMessage)
    .transform(Number)
    .optional(),
});
export type ConfigPollQuery = z.output<typeof ConfigPollQuery>;

/** The config query of a URL, or a 400's message naming what is wrong with it. */
export function readConfigPollQuery(
  params: URLSearchParams,
): { success: true; data: ConfigPollQuery } | { success: false; message: string } {
  const raw: Record<string, string> = {};
  for (const name of Object.values(configQueryParams)) {
    const value = params.get(name);
    if (value !== null) raw[name] = value;
  }
  const parsed = ConfigPollQuery.safeParse(raw);
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, message: describeIssues(parsed.error.issues) };
}

/** The query string a proxy polls with, `?after=...`, for the config path. */
export function configPollSearch(query: { after: number; lineage?: string | null; wait?: number }): string {
  let search = `?${configQueryParams.after}=${query.after}`;
  if (query.lineage != null) search += `&${configQueryParams.lineage}=${encodeURIComponent(query.lineage)}`;
  if (query.wait !== undefined) search += `&${configQueryParams.wait}=${query.wait}`;
  return search;
}

/**
 * Whether a poll is answered at once (200 with the head snapshot) rather than held: the head is
 * newer than `after`; or the proxy's history is not the head's, because `after` is past the head
 * (a restored database) or it names another lineage (a recreated database). A poll without a
 * lineage (a proxy holding nothing, or one from before lineages) is answered by version alone, so
 * that such a proxy still long-polls instead of being answered at once again and again.
 */
export function configAnswersAtOnce(
  head: { version: number; lineage: string | null },
  query: Pick<ConfigPollQuery, "after" | "lineage">,
): boolean {
  if (head.version !== query.after) return true;
  return query.lineage !== undefined && query.lineage !== head.lineage;
}

// ---------------------------------------------------------------------------------------------
// POST /data-plane/v1/usage: body UsageBatch, answer 200 UsageBatchAnswer (both in usage/event.ts)

/** A full batch of large events fits well within it; past it the answer is 413. */
export const usageBodyLimitBytes = 8 * 1024 * 1024;

/**
 * The shape a usage body must have before its events are read one by one: an invalid event is
 * named in the 200 answer's `rejected`, never a reason to refuse the whole batch.
 */
export const UsageBatchEnvelope = z.object({
  events: z.array(z.unknown()).min(1).max(maxUsageBatch),
});

/** The 400 message for a body that is not `{"events":[...]}` with 1 to 1000 entries. */
export function invalidUsageBatchMessage(issues: readonly z.core.$ZodIssue[]): string {
  return `Not a usage batch (${describeIssues(issues)}). Send {"events":[UsageEvent, ...]} with 1 to ${maxUsageBatch} events.`;
}

/**
 * Event `index` of a batch as it is stored, or the message its `rejected` entry carries: not a
 * `UsageEvent`, or an `at` outside the window around `now` that an event may claim.
 */
export function readUsageEvent(
  raw: unknown,
  index: number,
  now: number,
): { success: true; data: UsageEvent } | { success: false; message: string } {
  const parsed = UsageEvent.safeParse(raw);
  if (!parsed.success) {
    return {
      success: false,
      message: `Not a valid usage event: ${describeIssues(parsed.error.issues, `events.${index}`)}.`,
    };
  }
  const late = usageEventTimeProblem(parsed.data.at, now);
  if (late !== null)
    return { success: false, message: `Not a valid usage event: events.${index}.at: ${late}.` };
  return parsed;
}

/**
 * The `rejected` message for an event whose key the control plane does not have (a forged event,
 * or one sent to the wrong control plane); the entry's `index` says which event it is.
 */
export function unknownUsageKeyMessage(keyId: string): string {
  return `Not a valid usage event: keyId ${keyId} is not an API key of this control plane.`;
}

/** The requestId of a raw event, for its `rejected` entry (null when it has none). */
export function requestIdOf(raw: unknown): string | null {
  const id = (raw as { requestId?: unknown } | null)?.requestId;
  return typeof id === "string" ? id.slice(0, 128) : null;
}

// ---------------------------------------------------------------------------------------------
// POST /data-plane/v1/alerts: body DataPlaneAlert (providers/alerts.ts), answer 202 DataPlaneAlertAnswer

/** An alert is a few hundred bytes; past this the answer is 400. */
export const alertBodyLimitBytes = 16 * 1024;

/** However many proxies report one provider's fallback, admins get one notice in this window. */
export const alertDedupWindowMs = 10 * 60_000;

export const DataPlaneAlertAnswer = z.object({
  accepted: z.literal(true),
  /** The admins' notification: a new one, or the recent one this alert was folded into. */
  notificationId: z.string().min(1),
  deduplicated: z.boolean(),
});
export type DataPlaneAlertAnswer = z.infer<typeof DataPlaneAlertAnswer>;

/** The 400 message for a body that is not a `DataPlaneAlert`. */
export function invalidAlertMessage(issues: readonly z.core.$ZodIssue[]): string {
  return `Not a valid alert (${describeIssues(issues)}). Send {"kind":"credential_fallback","providerId","credentialId","message"}`;
}
