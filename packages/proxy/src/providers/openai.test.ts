import { describe, expect, it } from "vitest";
import { openaiProvider } from "./openai.ts";

describe("openai provider adapter", () => {
  it("appends operation paths to a baseUrl that already ends in the version prefix", () => {
    expect(openaiProvider.buildUrl("http://127.0.0.1:8090/v1", "chat.completions")).toBe(
      "http://127.0.0.1:8090/v1/chat/completions",
    );
    expect(openaiProvider.buildUrl("https://api.openai.com/v1/", "chat.completions")).toBe(
      "https://api.openai.com/v1/chat/completions",
    );
  });

  it("sends a credential only when there is one", () => {
    expect(openaiProvider.buildHeaders(null)).toEqual({ "content-type": "application/json" });
    expect(openaiProvider.buildHeaders("sk-up")).toMatchObject({ authorization: "Bearer sk-up" });
  });

  it("rewrites only the model of the forwarded body", () => {
    const body = openaiProvider.buildChatBody(
      { model: "alias", messages: [], extra: { a: 1 } },
      "real-model",
    );
    expect(JSON.parse(body)).toEqual({ model: "real-model", messages: [], extra: { a: 1 } });
  });

  it("reads usage from a response or a final stream chunk", () => {
    expect(
      openaiProvider.readUsage({ usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }),
    ).toEqual({
      promptTokens: 3,
      completionTokens: 4,
      totalTokens: 7,
    });
    expect(openaiProvider.readUsage({ usage: null })).toBeNull();
    expect(openaiProvider.readUsage("nope")).toBeNull();
  });

  it("recognises an OpenAI-shaped error body", () => {
    expect(openaiProvider.isClientShapedError({ error: { message: "bad", type: "x" } })).toBe(true);
    expect(openaiProvider.isClientShapedError({ detail: "bad" })).toBe(false);
    expect(openaiProvider.isClientShapedError(undefined)).toBe(false);
  });
});
