import { describe, expect, it } from "vitest";
import { openaiProvider } from "./openai.ts";

describe("openai provider adapter", () => {
  it("appends operation paths to a baseUrl that already ends in the version prefix", () => {
    expect(openaiProvider.buildUrl("http://127.0.0.1:8090/v1", "chat.completions")).toBe(
      "http://127.0.0.1:8090/v1/chat/completions",
    );
    expect(openaiProvider.buildUrl("http://127.0.0.1:8090/v1", "embeddings")).toBe(
      "http://127.0.0.1:8090/v1/embeddings",
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

  it("refuses a body nested too deeply to serialise as the client's error, not a crash", () => {
    const deep = JSON.parse(`${"[".repeat(50_000)}1${"]".repeat(50_000)}`) as unknown;
    expect(() => openaiProvider.buildChatBody({ model: "m", messages: [deep] }, "x")).toThrow(
      expect.objectContaining({
        code: "invalid_request",
        message: expect.stringMatching(/nested too deeply/),
      }),
    );
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
    const text = '{"error":{"message":"bad","type":"x"}}';
    expect(openaiProvider.clientError(JSON.parse(text), text)).toBe(text);
    expect(openaiProvider.clientError({ detail: "bad" }, '{"detail":"bad"}')).toBeNull();
    expect(openaiProvider.clientError(undefined, "<html>")).toBeNull();
  });
});
