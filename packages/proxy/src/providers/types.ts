/**
 * What the proxy needs to know about an upstream API, as data: one adapter per provider kind in
 * `providers/<kind>.ts`, looked up by `providers/index.ts`. Handlers never branch on the kind.
 */

/** Tokens a provider reports for one request (OpenAI's `usage` object, normalised). */
export type Usage = { promptTokens: number; completionTokens: number; totalTokens: number };

import type { ProviderOperation } from "@switchyard/core";

export type { ProviderOperation };

/** What a response translation needs to know about the client's request. */
export type ChatTranslationOptions = {
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
};

/**
 * Turns an upstream SSE stream into OpenAI `chat.completion.chunk` events as it arrives: each
 * upstream chunk yields the OpenAI events it completes (a partial event waits for its end).
 */
export type ChatStreamTranslator = {
  /** The OpenAI SSE text for one upstream chunk ("" when it completes no event). */
  push(chunk: Buffer): string;
  /** What is left to send once the upstream stream has ended (`data: [DONE]`, or an error event). */
  end(): string;
  /** The token usage the stream reported so far, or null. */
  readonly usage: Usage | null;
};

/** For upstreams that do not speak OpenAI's chat format: their answers, translated back. */
export type ChatResponseTranslation = {
  /** A parsed non-streaming upstream answer as an OpenAI `chat.completion` body. */
  response(payload: unknown): string;
  stream(options: ChatTranslationOptions): ChatStreamTranslator;
};

export type ProviderAdapter = {
  /**
   * The upstream URL for an operation from the provider's configured `baseUrl`, or null when the
   * provider has no such endpoint (Anthropic has no embeddings API).
   */
  buildUrl(baseUrl: string, operation: ProviderOperation): string | null;
  /** Static request headers; `apiKey` is the decrypted credential, or null for none. */
  buildHeaders(apiKey: string | null): Record<string, string>;
  /**
   * The upstream request body for a validated client chat request aimed at `upstreamModel`.
   * Throws an `invalid_request` AppError for a request the provider's format cannot express.
   */
  buildChatBody(request: Record<string, unknown>, upstreamModel: string): string;
  /** null: the upstream answers in OpenAI's format, and its answers pass through as sent. */
  readonly chatResponse: ChatResponseTranslation | null;
  /** Token usage from a parsed non-streaming response, or from one parsed stream chunk. */
  readUsage(payload: unknown): Usage | null;
  /**
   * An upstream error answer as the OpenAI-shaped error body the client gets (the provider's own
   * words: a bad parameter, a context too long), or null when it is not an API error of the provider.
   */
  clientError(payload: unknown, text: string): string | null;
};
