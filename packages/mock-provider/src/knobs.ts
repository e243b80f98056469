/**
 * The mock provider's knobs: their defaults, their `x-mock-*` request headers and their validation,
 * shared by `setKnobs`, `POST /_mock/knobs` and the per-request headers.
 */

export type Knobs = {
  /** Delay before the response head (the first byte), in ms. */
  latencyMs: number;
  /** Streams: delay between the response head and the first token chunk, in ms. */
  ttftMs: number;
  /** Streams: pace of the token chunks; 0 sends them as fast as the socket takes them. */
  tokensPerSecond: number;
  /** Tokens in each reply, capped by the request's `max_tokens` / `max_completion_tokens`. */
  completionTokens: number;
  /** Answer every model request with this HTTP status (400-599) and an OpenAI-shaped error; 0 = off. */
  errorStatus: number;
  /** Answer every model request with 429 and `Retry-After: <rateLimit>` seconds; 0 = off. */
  rateLimit: number;
  /** With `rateLimit`: the 429 carries no `Retry-After` header. */
  rateLimitNoRetryAfter: boolean;
  /** Answer the first N model requests of this instance (since it was created or reset) with a 500; 0 = off. */
  failFirst: number;
  /** Answer 500 to every model request for the first N ms after the instance was created or reset (or the knob set); 0 = off. */
  flapMs: number;
  /** Destroy the connection before any byte of the response head. */
  resetBeforeHeaders: boolean;
  /** Accept the request and never answer (the connection stays open). */
  hang: boolean;
  /** Streams: stop writing after this many `data:` events with the connection left open; 0 = off. */
  stallAfterChunks: number;
  /** Streams: write a malformed event (`data: {not json`) after this many `data:` events, then go on; 0 = off. */
  malformedAfterChunks: number;
  /** Streams: end the response cleanly without the `data: [DONE]` event. */
  omitDone: boolean;
  /** Non-streamed answers: a 200 whose body is cut in half, so not valid JSON. */
  malformedJson: boolean;
  /** Chat: answer 400 `context_length_exceeded` when the prompt has more tokens than this; 0 = off. */
  contextWindow: number;
  /** Chat and embeddings: answer 400 `content_policy_violation`. */
  contentPolicy: boolean;
  /** Streams: destroy the socket after this many `data:` events (the role chunk counts), without [DONE]; 0 = off. */
  dropAfterChunks: number;
  /** Answer every Nth model request of this instance (N, 2N, ...) with a 500; 0 = off. */
  failEvery: number;
  /** Reply with a call of the first tool whenever the request has `tools` (unless `tool_choice` is "none" or the last message is a tool result). */
  toolCalls: boolean;
  /** Keep the last N model requests (method, path, headers, body) for `requests()` and `GET /_mock/requests`; 0 = off. Instance-only. */
  recordRequests: number;
};

export type KnobName = keyof Knobs;

type KnobSpec = {
  /** The request header that overrides the knob for one request, or null for an instance-only knob. */
  readonly header: string | null;
  readonly kind: "integer" | "boolean" | "status";
  readonly max: number;
};

const maxDelayMs = 600_000;

export const knobSpecs: { readonly [K in KnobName]: KnobSpec } = {
  latencyMs: { header: "x-mock-latency-ms", kind: "integer", max: maxDelayMs },
  ttftMs: { header: "x-mock-ttft-ms", kind: "integer", max: maxDelayMs },
  tokensPerSecond: { header: "x-mock-tokens-per-second", kind: "integer", max: 1_000_000 },
  completionTokens: { header: "x-mock-completion-tokens", kind: "integer", max: 1_000_000 },
  errorStatus: { header: "x-mock-error-status", kind: "status", max: 599 },
  rateLimit: { header: "x-mock-rate-limit", kind: "integer", max: 86_400 },
  rateLimitNoRetryAfter: { header: "x-mock-rate-limit-no-retry-after", kind: "boolean", max: 1 },
  failFirst: { header: "x-mock-fail-first", kind: "integer", max: 1_000_000 },
  flapMs: { header: "x-mock-flap-ms", kind: "integer", max: maxDelayMs },
  resetBeforeHeaders: { header: "x-mock-reset-before-headers", kind: "boolean", max: 1 },
  hang: { header: "x-mock-hang", kind: "boolean", max: 1 },
  stallAfterChunks: { header: "x-mock-stall-after-chunks", kind: "integer", max: 1_000_000 },
  malformedAfterChunks: { header: "x-mock-malformed-after-chunks", kind: "integer", max: 1_000_000 },
  omitDone: { header: "x-mock-omit-done", kind: "boolean", max: 1 },
  malformedJson: { header: "x-mock-malformed-json", kind: "boolean", max: 1 },
  contextWindow: { header: "x-mock-context-window", kind: "integer", max: 100_000_000 },
  contentPolicy: { header: "x-mock-content-policy", kind: "boolean", max: 1 },
  dropAfterChunks: { header: "x-mock-drop-after-chunks", kind: "integer", max: 1_000_000 },
  failEvery: { header: "x-mock-fail-every", kind: "integer", max: 1_000_000 },
  toolCalls: { header: "x-mock-tool-calls", kind: "boolean", max: 1 },
  recordRequests: { header: null, kind: "integer", max: 10_000 },
};

export const defaultKnobs: Readonly<Knobs> = Object.freeze({
  latencyMs: 0,
  ttftMs: 0,
  tokensPerSecond: 0,
  completionTokens: 16,
  errorStatus: 0,
  rateLimit: 0,
  rateLimitNoRetryAfter: false,
  failFirst: 0,
  flapMs: 0,
  resetBeforeHeaders: false,
  hang: false,
  stallAfterChunks: 0,
  malformedAfterChunks: 0,
  omitDone: false,
  malformedJson: false,
  contextWindow: 0,
  contentPolicy: false,
  dropAfterChunks: 0,
  failEvery: 0,
  toolCalls: false,
  recordRequests: 0,
});

const knobNames = Object.keys(knobSpecs) as KnobName[];

/** Lower-case header name -> knob, for the per-request overrides. */
export const knobByHeader: ReadonlyMap<string, KnobName> = new Map(
  knobNames.flatMap((name) => {
    const header = knobSpecs[name].header;
    return header === null ? [] : [[header, name] as const];
  }),
);

export function isKnobName(name: string): name is KnobName {
  return Object.hasOwn(knobSpecs, name);
}

/** What a valid value of the knob looks like, for error messages. */
export function describeKnob(name: KnobName): string {
  const spec = knobSpecs[name];
  if (spec.kind === "boolean") return "true or false";
  if (spec.kind === "status") return "0 or an HTTP status from 400 to 599";
  return `an integer from 0 to ${spec.max}`;
}

function checkNumber(spec: KnobSpec, value: number): number | undefined {
  if (!Number.isInteger(value) || value < 0 || value > spec.max) return undefined;
  if (spec.kind === "status" && value !== 0 && value < 400) return undefined;
  return value;
}

/** A knob's value from JSON (`setKnobs`, `POST /_mock/knobs`), or undefined when it is not valid. */
export function knobFromJson(name: KnobName, value: unknown): number | boolean | undefined {
  const spec = knobSpecs[name];
  if (spec.kind === "boolean") return typeof value === "boolean" ? value : undefined;
  return typeof value === "number" ? checkNumber(spec, value) : undefined;
}

/** A knob's value from its request header, or undefined when it is not valid. */
export function knobFromHeader(name: KnobName, value: string): number | boolean | undefined {
  const spec = knobSpecs[name];
  if (spec.kind === "boolean") {
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    return undefined;
  }
  return /^\d{1,9}$/.test(value) ? checkNumber(spec, Number(value)) : undefined;
}

/**
 * Validates a partial set of knobs from JSON; answers the validated values, or the name of the
 * first unknown or invalid knob.
 */
export function parseKnobs(
  input: unknown,
): { ok: true; knobs: Partial<Knobs> } | { ok: false; knob: string } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return { ok: false, knob: "" };
  const knobs: Partial<Record<KnobName, number | boolean>> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!isKnobName(name)) return { ok: false, knob: name };
    const parsed = knobFromJson(name, value);
    if (parsed === undefined) return { ok: false, knob: name };
    knobs[name] = parsed;
  }
  return { ok: true, knobs: knobs as Partial<Knobs> };
}
