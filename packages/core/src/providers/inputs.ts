/**
 * Provider management contracts: the inputs of the control plane's `providers.*` procedures (the
 * dashboard reuses them for its forms) and the shape of what they return. Browser-safe.
 */
import { z } from "zod";
import { ProviderKind } from "../config/snapshot.ts";
import { IdempotencyKey } from "../keys/inputs.ts";
import { classifyHost, type HostClass } from "../net/addresses.ts";
import { maxInt32 } from "../usage/event.ts";
import { text } from "../validation/text.ts";
import { providerKinds } from "./kinds.ts";

/** Longest overlap a rotated-out credential may keep serving as a fallback: one week. */
export const maxCredentialOverlapMinutes = 10_080;

/** Strips trailing slashes, so `https://api.openai.com/v1/` and `…/v1` are the same base URL. */
export function normalizeBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/**
 * Whether a provider may live on the control plane's own network. An admin says so per provider
 * ("in-cluster": a self-hosted vLLM, the mock provider); without it a base URL must be a public
 * https:// one, so that a provider entry cannot be turned against the network the gateway runs in.
 */
export type ProviderReach = { inCluster: boolean };

const clearTextKey =
  "Use https://: over http:// the API key would travel in the clear (http:// is only for an in-cluster provider)";

/**
 * What is wrong with sending a provider's calls to a host of this class over `protocol`, or null.
 * Metadata, link-local and unroutable addresses are refused always; loopback and private ones only
 * for an in-cluster provider, and http:// never to a public address. The schema applies it to the
 * URL's literal host; the control plane's connection test, to every address a name resolves to.
 */
export function providerAddressProblem(
  host: HostClass,
  protocol: string,
  { inCluster }: ProviderReach,
): string | null {
  if (host === "metadata")
    return "This is a cloud metadata address: it hands out the machine's own credentials, so no provider may point at it";
  if (host === "link-local")
    return "This is a link-local address (169.254.x.x or fe80::), where cloud metadata services answer: no provider may point at it";
  if (host === "unroutable")
    return "This address (0.0.0.0, ::, multicast or broadcast) is no single host: enter the provider's own address";
  if ((host === "loopback" || host === "private") && !inCluster)
    return 'This is a private or loopback address: tick "In-cluster" if the provider runs inside your own network';
  if (protocol === "http:" && !inCluster) return clearTextKey;
  if (protocol === "http:" && host === "public")
    return "Use https:// for a public address: over http:// the API key would cross the internet in the clear";
  return null;
}

/**
 * What is wrong with `url` as the base URL of a provider of `kind`, or null when it is fine. A
 * kind whose base URL includes the API version (OpenAI-compatible: `{baseUrl}/chat/completions`)
 * must end with /v1; an origin-style one (Anthropic: `{baseUrl}/v1/messages`) must not. Where the
 * host may be is `providerAddressProblem`'s rule.
 */
export function baseUrlProblem(kind: ProviderKind, url: string, reach: ProviderReach): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `Enter a full URL, e.g. ${providerKinds[kind].defaultBaseUrl}`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return "The base URL must start with http:// or https://";
  if (parsed.username || parsed.password)
    return "Put no credentials in the URL: save the API key in the API key field instead";
  if (parsed.search || parsed.hash) return "The base URL takes no query string or #fragment";
  const hostProblem = providerAddressProblem(classifyHost(parsed.hostname), parsed.protocol, reach);
  if (hostProblem) return hostProblem;
  const path = parsed.pathname.replace(/\/+$/, "");
  const descriptor = providerKinds[kind];
  if (descriptor.baseUrlStyle === "v1" && !path.endsWith("/v1"))
    return `For an ${descriptor.label} provider the base URL must end with /v1, e.g. ${descriptor.defaultBaseUrl} or http://vllm:8000/v1`;
  if (descriptor.baseUrlStyle === "origin" && path.endsWith("/v1"))
    return `For ${descriptor.label} give the base URL without /v1, e.g. ${descriptor.defaultBaseUrl}`;
  return null;
}

export const ProviderName = text()
  .trim()
  .min(1, "Give the provider a name")
  .max(100, "At most 100 characters");

export const ProviderBaseUrl = text()
  .trim()
  .min(1, "Enter the provider's base URL")
  .max(2000, "At most 2000 characters")
  .transform(normalizeBaseUrl);

/** A provider API key as pasted: surrounding whitespace is dropped. */
export const ProviderApiKey = text()
  .trim()
  .min(1, "Paste the API key")
  .max(500, "At most 500 characters: is this really an API key?");

/**
 * Marks a provider as running inside the gateway's own network: only then may its base URL be a
 * loopback or private address, or plain http://.
 */
export const ProviderInCluster = z.boolean({ error: "Say whether the provider is in-cluster" });

/** The fields of the create form, without the cross-field base URL rule (for `.pick()`). */
export const ProviderFields = z.object({
  name: ProviderName,
  kind: ProviderKind,
  baseUrl: ProviderBaseUrl,
  apiKey: ProviderApiKey.optional(),
  inCluster: ProviderInCluster.default(false),
});

export const CreateProviderInput = ProviderFields.extend({
  idempotencyKey: IdempotencyKey.optional(),
}).superRefine((v, ctx) => {
  const problem = baseUrlProblem(v.kind, v.baseUrl, { inCluster: v.inCluster });
  if (problem) ctx.addIssue({ code: "custom", path: ["baseUrl"], message: problem });
});
export type CreateProviderInput = z.infer<typeof CreateProviderInput>;

export const ProviderIdInput = z.object({ id: z.uuid("Not a provider id") });
export type ProviderIdInput = z.infer<typeof ProviderIdInput>;

/** `version` is the one the form was opened with; a stale one is refused (optimistic concurrency). */
export const UpdateProviderInput = z.object({
  id: z.uuid("Not a provider id"),
  version: z.number().int().min(1).max(maxInt32),
  name: ProviderName.optional(),
  baseUrl: ProviderBaseUrl.optional(),
  /**
   * The API key for the new host, required when `baseUrl` moves a provider that has a stored key to
   * another origin (scheme, host or port): a stored key is never sent to a host it was not entered
   * for. It replaces the stored key(s) at once.
   */
  apiKey: ProviderApiKey.optional(),
  /** Checked with the base URL (the new one, or the stored one when unchanged) by the server. */
  inCluster: ProviderInCluster.optional(),
});
export type UpdateProviderInput = z.infer<typeof UpdateProviderInput>;

/** Whether two base URLs point at the same origin (scheme, host and port). */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

export const originChangeNeedsKey =
  "This base URL is on another host: enter the API key for it (the stored key is never sent to a new host)";

export const RotateProviderCredentialInput = z.object({
  id: z.uuid("Not a provider id"),
  apiKey: ProviderApiKey,
  /** How long the previous credential stays as a fallback; 0 retires it at once. */
  overlapMinutes: z
    .number()
    .int("Whole minutes")
    .min(0, "0 or more minutes")
    .max(maxCredentialOverlapMinutes, "At most 10080 minutes (one week)"),
});
export type RotateProviderCredentialInput = z.infer<typeof RotateProviderCredentialInput>;

/** A stored credential as the dashboard sees it: never the secret, only its last characters. */
export const ProviderCredentialView = z.object({
  id: z.string(),
  role: z.enum(["primary", "fallback"]),
  /** The key's last 4 characters (empty for keys shorter than 8, which would give too much away). */
  last4: z.string(),
  createdAt: z.string(),
  /** Until when a fallback keeps serving; null for the primary. */
  overlapUntil: z.string().nullable(),
});
export type ProviderCredentialView = z.infer<typeof ProviderCredentialView>;

export const ProviderView = z.object({
  id: z.string(),
  name: z.string(),
  kind: ProviderKind,
  baseUrl: z.string(),
  inCluster: z.boolean(),
  version: z.number().int(),
  /** Primary first, then the fallback while its overlap lasts. Empty when no key is stored. */
  credentials: z.array(ProviderCredentialView),
  /** Gateway models with a deployment on this provider. */
  models: z.array(z.string()),
  createdAt: z.string(),
});
export type ProviderView = z.infer<typeof ProviderView>;

/**
 * What a connection test found, as a class: the test never repeats the provider's own words (an
 * error body from an arbitrary host would make the test a way to read internal services), only
 * which of these happened.
 */
export const ProviderTestOutcome = z.enum([
  /** 2xx: reachable, credentials accepted (or none needed). */
  "accepted",
  /** 401. */
  "credentials_refused",
  /** 403. */
  "access_denied",
  /** 404: nothing at the models URL. */
  "not_found",
  /** 429: reachable and rate-limiting. */
  "rate_limited",
  /** 3xx: the test does not follow redirects. */
  "redirected",
  /** Any other 4xx. */
  "client_error",
  /** 5xx. */
  "server_error",
  "timeout",
  "connection_refused",
  "connection_closed",
  "dns_failed",
  "unreachable",
  "tls_failed",
  /** The base URL, or an address its host resolves to, is not one a provider may have. */
  "address_refused",
  "failed",
]);
export type ProviderTestOutcome = z.infer<typeof ProviderTestOutcome>;

export const ProviderTestResult = z.object({
  ok: z.boolean(),
  outcome: ProviderTestOutcome,
  /** The provider's HTTP status; null when no answer came (timeout, DNS, refused). */
  status: z.number().int().nullable(),
  latencyMs: z.number().int().min(0),
  /** The outcome in words, and what to fix when it failed: the control plane's text, never the provider's. */
  message: z.string(),
});
export type ProviderTestResult = z.infer<typeof ProviderTestResult>;
