/**
 * Every provider kind the gateway speaks, as one table of data: its name in the dashboard, where its
 * API usually lives, how its base URL is written, how a credential and the API version are sent,
 * and the path of each endpoint it has. The proxy's adapters, the control plane's connection test,
 * the base-URL check and the dashboard's provider form all read it, so adding a kind starts here
 * (then its adapter in packages/proxy/src/providers/, which the type check will ask for).
 * Browser-safe: no Node APIs.
 */
import type { ProviderKind } from "../config/providers.ts";

/** The model endpoints the proxy forwards, named independently of any provider's URL layout. */
export type ProviderOperation = "chat.completions" | "embeddings";

export type ProviderKindDescriptor = {
  readonly kind: ProviderKind;
  /** As the dashboard names it. */
  readonly label: string;
  /** The base URL of the kind's public API, the form's placeholder. */
  readonly defaultBaseUrl: string;
  /** The form's hint under the base URL field. */
  readonly baseUrlHint: string;
  /**
   * "v1": the base URL includes the API version prefix, as the OpenAI SDKs' `baseURL` does
   * (`https://api.openai.com/v1`); "origin": it is the API origin (`https://api.anthropic.com`),
   * as Anthropic's SDKs take it, and `/v1` is added before each path.
   */
  readonly baseUrlStyle: "v1" | "origin";
  /** The header that carries the credential, and what precedes the secret in it. */
  readonly auth: { readonly header: string; readonly prefix: string };
  /** The API version header every request carries, or null when the API has none. */
  readonly versionHeader: { readonly name: string; readonly value: string } | null;
  /** The path of each model endpoint after the versioned base, or null where the API has none. */
  readonly paths: { readonly [O in ProviderOperation]: string | null };
  /** The path that lists models: cheap, authenticated, free on every provider (the connection test). */
  readonly modelsPath: string;
};

export const providerKinds = {
  openai: {
    kind: "openai",
    label: "OpenAI-compatible",
    defaultBaseUrl: "https://api.openai.com/v1",
    baseUrlHint: "https://api.openai.com/v1 (vLLM, TGI, SGLang, Azure: their /v1 URL)",
    baseUrlStyle: "v1",
    auth: { header: "authorization", prefix: "Bearer " },
    versionHeader: null,
    paths: { "chat.completions": "/chat/completions", embeddings: "/embeddings" },
    modelsPath: "/models",
  },
  anthropic: {
    kind: "anthropic",
    label: "Anthropic",
    defaultBaseUrl: "https://api.anthropic.com",
    baseUrlHint: "https://api.anthropic.com",
    baseUrlStyle: "origin",
    auth: { header: "x-api-key", prefix: "" },
    // The version the proxy's translation of the Messages API is written against.
    versionHeader: { name: "anthropic-version", value: "2023-06-01" },
    paths: { "chat.completions": "/messages", embeddings: null },
    modelsPath: "/models",
  },
} as const satisfies { readonly [K in ProviderKind]: ProviderKindDescriptor & { readonly kind: K } };

/** The kinds in the order the dashboard lists them. */
export const providerKindList: readonly ProviderKindDescriptor[] = Object.values(providerKinds);

/** The versioned base every path of `kind` is appended to, from a provider's configured base URL. */
function versionedBase(kind: ProviderKindDescriptor, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  // An origin-style base URL that already ends in /v1 is accepted too.
  return kind.baseUrlStyle === "origin" && !base.endsWith("/v1") ? `${base}/v1` : base;
}

/** The URL of `operation` on a provider of `kind` at `baseUrl`, or null when the kind has no such endpoint. */
export function providerOperationUrl(
  kind: ProviderKindDescriptor,
  baseUrl: string,
  operation: ProviderOperation,
): string | null {
  const path = kind.paths[operation];
  return path === null ? null : versionedBase(kind, baseUrl) + path;
}

/** The URL that lists a provider's models (the connection test's cheap authenticated call). */
export function providerModelsUrl(kind: ProviderKindDescriptor, baseUrl: string): string {
  return versionedBase(kind, baseUrl) + kind.modelsPath;
}

/** The headers that carry the credential (when there is one) and the API version. */
export function providerAuthHeaders(
  kind: ProviderKindDescriptor,
  apiKey: string | null,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (kind.versionHeader !== null) headers[kind.versionHeader.name] = kind.versionHeader.value;
  if (apiKey !== null && apiKey !== "") headers[kind.auth.header] = kind.auth.prefix + apiKey;
  return headers;
}
