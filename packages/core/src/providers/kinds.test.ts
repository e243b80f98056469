import { describe, expect, it } from "vitest";
import {
  providerAuthHeaders,
  providerKindList,
  providerKinds,
  providerModelsUrl,
  providerOperationUrl,
} from "./kinds.ts";

describe("provider kinds", () => {
  it("builds URLs after the base URL's version prefix, or after /v1 for an origin-style kind", () => {
    const { openai, anthropic } = providerKinds;
    expect(providerOperationUrl(openai, "http://vllm:8000/v1/", "chat.completions")).toBe(
      "http://vllm:8000/v1/chat/completions",
    );
    expect(providerOperationUrl(openai, "https://api.openai.com/v1", "embeddings")).toBe(
      "https://api.openai.com/v1/embeddings",
    );
    expect(providerOperationUrl(anthropic, "https://api.anthropic.com", "chat.completions")).toBe(
      "https://api.anthropic.com/v1/messages",
    );
    expect(providerOperationUrl(anthropic, "https://api.anthropic.com/v1", "chat.completions")).toBe(
      "https://api.anthropic.com/v1/messages",
    );
    expect(providerOperationUrl(anthropic, "https://api.anthropic.com", "embeddings")).toBeNull();
    expect(providerModelsUrl(anthropic, "https://api.anthropic.com")).toBe(
      "https://api.anthropic.com/v1/models",
    );
    expect(providerModelsUrl(openai, "https://api.openai.com/v1")).toBe("https://api.openai.com/v1/models");
  });

  it("sends the credential in each kind's own header, and the API version where there is one", () => {
    expect(providerAuthHeaders(providerKinds.openai, "sk-1")).toEqual({ authorization: "Bearer sk-1" });
    expect(providerAuthHeaders(providerKinds.openai, null)).toEqual({});
    expect(providerAuthHeaders(providerKinds.anthropic, "sk-ant")).toEqual({
      "anthropic-version": "2023-06-01",
      "x-api-key": "sk-ant",
    });
  });

  it("lists every kind once, under its own key", () => {
    expect(providerKindList.map((k) => k.kind)).toEqual(Object.keys(providerKinds));
  });
});
