/**
 * OpenAI and every OpenAI-compatible upstream (vLLM, llama.cpp, Ollama, the mock provider).
 *
 * Convention: a provider's `baseUrl` includes the API version prefix, as the OpenAI SDKs'
 * `baseURL` does (`https://api.openai.com/v1`, `http://127.0.0.1:8090/v1`); operation paths
 * are appended to it (`/chat/completions`), never `/v1/...`.
 */
import { providerAuthHeaders, providerKinds, providerOperationUrl } from "@switchyard/core";
import { serializeRequest } from "./json.ts";
import type { ProviderAdapter, Usage } from "./types.ts";

const kind = providerKinds.openai;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const openaiProvider = {
  buildUrl(baseUrl, operation) {
    return providerOperationUrl(kind, baseUrl, operation);
  },

  buildHeaders(apiKey) {
    return { "content-type": "application/json", ...providerAuthHeaders(kind, apiKey) };
  },

  buildChatBody(request, upstreamModel) {
    // The client's body is forwarded as sent (unknown fields included); only the model changes.
    request.model = upstreamModel;
    return serializeRequest(request);
  },

  // OpenAI-compatible answers pass through untouched.
  chatResponse: null,

  readUsage(payload): Usage | null {
    if (!isRecord(payload) || !isRecord(payload.usage)) return null;
    const { prompt_tokens, completion_tokens, total_tokens } = payload.usage;
    if (typeof prompt_tokens !== "number" || typeof completion_tokens !== "number") return null;
    return {
      promptTokens: prompt_tokens,
      completionTokens: completion_tokens,
      totalTokens: typeof total_tokens === "number" ? total_tokens : prompt_tokens + completion_tokens,
    };
  },

  clientError(payload, text) {
    // Already in the shape clients expect: relayed as sent.
    return isRecord(payload) && isRecord(payload.error) && typeof payload.error.message === "string"
      ? text
      : null;
  },
} satisfies ProviderAdapter;
