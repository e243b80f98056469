import { describe, expect, it } from "vitest";
import { formatReset } from "../limits/rate-limit.ts";
import {
  completionBound,
  estimatePromptTokens,
  generatedTextBytes,
  scanPromptTokens,
  scanUsage,
  tokensForBytes,
} from "./tokens.ts";

const buf = (s: string) => Buffer.from(s);

describe("token counting", () => {
  it("estimates prompt tokens from message text, about four characters a token plus framing", () => {
    expect(estimatePromptTokens([{ role: "user", content: "12345678" }])).toBe(2 + 4);
    expect(
      estimatePromptTokens([
        { role: "system", content: "abcd" },
        { role: "user", content: [{ type: "text", text: "abcdefgh" }, { type: "image_url" }] },
      ]),
    ).toBe(3 + 8);
    expect(estimatePromptTokens([null, { role: "user" }])).toBe(8);
  });

  it("counts text by its UTF-8 bytes, so scripts with many bytes a character are not undercounted", () => {
    // Four CJK characters are 12 bytes: 3 tokens, where a count of UTF-16 units would say 1.
    expect(estimatePromptTokens([{ role: "user", content: "你好世界" }])).toBe(3 + 4);
  });

  it("reads the completion bound from max_completion_tokens, else max_tokens", () => {
    expect(completionBound({ max_tokens: 50 })).toBe(50);
    expect(completionBound({ max_completion_tokens: 20, max_tokens: 50 })).toBe(20);
    expect(completionBound({ max_tokens: "50" })).toBeNull();
    expect(completionBound({})).toBeNull();
  });

  it("finds the provider's usage in a JSON body or a stream chunk", () => {
    expect(
      scanUsage(
        buf(
          '{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46,"prompt_tokens_details":{"cached_tokens":2}}}',
        ),
      ),
    ).toEqual({ promptTokens: 12, completionTokens: 34 });
    expect(scanUsage(buf('data: {"usage": {"prompt_tokens" : 7, "completion_tokens": 0}}\n\n'))).toEqual({
      promptTokens: 7,
      completionTokens: 0,
    });
    expect(scanUsage(buf('data: {"choices":[{"delta":{"content":"hi"}}],"usage":null}\n\n'))).toBeNull();
    expect(scanUsage(buf('{"choices":[]}'))).toBeNull();
  });

  it("reads an embeddings answer's prompt tokens after its vectors, -1 when it reports none", () => {
    const vectors = Array.from(
      { length: 3 },
      (_, i) => `{"object":"embedding","index":${i},"embedding":[0.1,-2e-3]}`,
    );
    const answer = `{"object":"list","data":[${vectors.join(",")}],"model":"m","usage":{"prompt_tokens":12,"total_tokens":12}}`;
    expect(scanPromptTokens(buf(answer))).toBe(12);
    expect(scanPromptTokens(buf('{"object":"list","data":[]}'))).toBe(-1);
    expect(scanPromptTokens(buf('{"usage":{"total_tokens":3}}'))).toBe(-1);
  });

  it("counts the bytes of generated text and tool-call arguments, escapes included", () => {
    const chunk =
      'data: {"choices":[{"delta":{"content":"Hello"}}]}\n\ndata: {"choices":[{"delta":{"content":"a \\"b\\""}}]}\n\n' +
      'data: {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\\"x\\":1}"}}]}}]}\n\n';
    expect(generatedTextBytes(buf(chunk))).toBe(5 + 7 + 9);
    expect(generatedTextBytes(buf('{"content":null}'))).toBe(0);
    expect(tokensForBytes(9)).toBe(3);
  });
});

describe("x-ratelimit-reset-* durations", () => {
  it("are written as OpenAI writes them", () => {
    expect(formatReset(0)).toBe("0s");
    expect(formatReset(250)).toBe("250ms");
    expect(formatReset(11_200)).toBe("12s");
    expect(formatReset(60_000)).toBe("1m0s");
    expect(formatReset(95_000)).toBe("1m35s");
  });
});
