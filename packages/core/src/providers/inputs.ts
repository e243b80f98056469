/**
 * Provider management contracts: the inputs of the control plane's `providers.*` procedures (the
 * dashboard reuses them for its forms) and the shape of what they return. Browser-safe.
 */
import { z } from "zod";
import { ProviderKind } from "../config/snapshot.ts";
import { providerKinds } from "./kinds.ts";

/** Longest overlap a rotated-out credential may keep serving as a fallback: one week. */
export const maxCredentialOverlapMinutes = 10_080;

/** Strips trailing slashes, so `https://api.openai.com/v1/` and `…/v1` are the same base URL. */
export function normalizeBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/**
 * What is wrong with `url` as the base URL of a provider of `kind`, or null when it is fine. A
 * kind whose base URL includes the API version (OpenAI-compatible: `{baseUrl}/chat/completions`)
 * must end with /v1; an origin-style one (Anthropic: `{baseUrl}/v1/messages`) must not.
 */
export function baseUrlProblem(kind: ProviderKind, url: string): string | null {
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
  const path = parsed.pathname.replace(/\/+$/, "");
  const descriptor = providerKinds[kind];
  if (descriptor.baseUrlStyle === "v1" && !path.endsWith("/v1"))
    return `For an ${descriptor.label} provider the base URL must end with /v1, e.g. ${descriptor.defaultBaseUrl} or http://vllm:8000/v1`;
  if (descriptor.baseUrlStyle === "origin" && path.endsWith("/v1"))
    return `For ${descriptor.label} give the base URL without /v1, e.g. ${descriptor.defaultBaseUrl}`;
  return null;
}

export const ProviderName = z
  .string()
  .trim()
  .min(1, "Give the provider a name")
  .max(100, "At most 100 characters");

export const ProviderBaseUrl = z
  .string()
  .trim()
  .min(1, "Enter the provider's base URL")
  .max(2000, "At most 2000 characters")
  .transform(normalizeBaseUrl);

/** A provider API key as pasted: surrounding whitespace is dropped. */
export const ProviderApiKey = z
  .string()
  .trim()
  .min(1, "Paste the API key")
  .max(500, "At most 500 characters: is this really an API key?");

/** The fields of the create form, without the cross-field base URL rule (for `.pick()`). */
export const ProviderFields = z.object({
  name: ProviderName,
  kind: ProviderKind,
  baseUrl: ProviderBaseUrl,
  apiKey: ProviderApiKey.optional(),
});

export const CreateProviderInput = ProviderFields.superRefine((v, ctx) => {
  const problem = baseUrlProblem(v.kind, v.baseUrl);
  if (problem) ctx.addIssue({ code: "custom", path: ["baseUrl"], message: problem });
});
export type CreateProviderInput = z.infer<typeof CreateProviderInput>;

export const ProviderIdInput = z.object({ id: z.uuid("Not a provider id") });
export type ProviderIdInput = z.infer<typeof ProviderIdInput>;

/** `version` is the one the form was opened with; a stale one is refused (optimistic concurrency). */
export const UpdateProviderInput = z.object({
  id: z.uuid("Not a provider id"),
  version: z.number().int().min(1),
  name: ProviderName.optional(),
  baseUrl: ProviderBaseUrl.optional(),
  /**
   * The API key for the new host, required when `baseUrl` moves a provider that has a stored key to
   * another origin (scheme, host or port): a stored key is never sent to a host it was not entered
   * for. It replaces the stored key(s) at once.
   */
  apiKey: ProviderApiKey.optional(),
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
  version: z.number().int(),
  /** Primary first, then the fallback while its overlap lasts. Empty when no key is stored. */
  credentials: z.array(ProviderCredentialView),
  /** Gateway models with a deployment on this provider. */
  models: z.array(z.string()),
  createdAt: z.string(),
});
export type ProviderView = z.infer<typeof ProviderView>;

export const ProviderTestResult = z.object({
  ok: z.boolean(),
  /** The provider's HTTP status; null when no answer came (timeout, DNS, refused). */
  status: z.number().int().nullable(),
  latencyMs: z.number().int().min(0),
  /** What happened, and what to fix when it failed. */
  message: z.string(),
});
export type ProviderTestResult = z.infer<typeof ProviderTestResult>;
