import { AppError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { parseChatRequest } from "./chat-request.ts";

function refusal(body: string): { code: string; param: string | null; message: string } {
  try {
    parseChatRequest(Buffer.from(body));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return {
      code: err.code,
      param: err.fieldErrors ? Object.keys(err.fieldErrors)[0]! : null,
      message: err.message,
    };
  }
  throw new Error("accepted");
}

describe("parseChatRequest", () => {
  it("accepts a minimal request and keeps unknown fields", () => {
    const request = parseChatRequest(
      Buffer.from(
        JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], temperature: 0.2 }),
      ),
    );
    expect(request.body).toMatchObject({ model: "m", temperature: 0.2 });
    expect(request).toMatchObject({ model: "m", stream: false, maxCompletionTokens: null });
  });

  it("says the body is not JSON", () => {
    expect(refusal("{nope")).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(refusal("")).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/not valid JSON/),
    });
    expect(refusal("[1]")).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/JSON object/),
    });
  });

  it("names the field that is wrong", () => {
    const messages = [{ role: "user", content: "hi" }];
    expect(refusal(JSON.stringify({ messages }))).toMatchObject({
      param: "model",
      message: "'model' is required.",
    });
    expect(refusal(JSON.stringify({ model: 42, messages }))).toMatchObject({ param: "model" });
    expect(refusal(JSON.stringify({ model: "m", messages: "hi" }))).toMatchObject({ param: "messages" });
    expect(refusal(JSON.stringify({ model: "m", messages: [] }))).toMatchObject({
      param: "messages",
      message: expect.stringMatching(/at least one/),
    });
    expect(refusal(JSON.stringify({ model: "m", messages: [{ content: "x" }] }))).toMatchObject({
      param: "messages[0].role",
    });
    expect(refusal(JSON.stringify({ model: "m", messages, stream: "yes" }))).toMatchObject({
      param: "stream",
    });
  });
});
