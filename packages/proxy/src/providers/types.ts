/**
 * What the proxy needs to know about an upstream API, as data: one adapter per provider kind in
 * `providers/<kind>.ts`, looked up by `providers/index.ts`. Handlers never branch on the kind.
 */

/** Tokens a provider reports for one request (OpenAI's `usage` object, normalised). */
export type Usage = { promptTokens: number; completionTokens: number; totalTokens: number };

/** The endpoints the proxy forwards, named independently of any provider's URL layout. */
export type ProviderOperation = "chat.completions";

export type ProviderAdapter = {
  /** The upstream URL for an operation, from the provider's configured `baseUrl`. */
  buildUrl(baseUrl: string, operation: ProviderOperation): string;
  /** Static request headers; `apiKey` is the decrypted credential, or null for none. */
  buildHeaders(apiKey: string | null): Record<string, string>;
  /** The upstream request body for a validated client chat request aimed at `upstreamModel`. */
  buildChatBody(request: Record<string, unknown>, upstreamModel: string): string;
  /** Token usage from a parsed non-streaming response, or from one parsed stream chunk. */
  readUsage(payload: unknown): Usage | null;
  /** Whether a parsed upstream error body is already in the shape clients expect (passed through). */
  isClientShapedError(payload: unknown): boolean;
};
