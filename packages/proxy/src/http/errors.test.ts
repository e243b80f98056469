import type { ServerResponse } from "node:http";
import { AppError, errorStatus } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { errorBody, openAIErrorType, sendError, sseErrorEvent, toAppError } from "./errors.ts";

/** Just enough of a ServerResponse to capture what sendError writes. */
function capture() {
  const written: { status?: number; headers?: string[]; body?: string } = {};
  const res = {
    headersSent: false,
    writeHead(status: number, headers: string[]) {
      written.status = status;
      written.headers = headers;
      return this;
    },
    end(body?: string) {
      written.body = body;
    },
  };
  return { res: res as unknown as ServerResponse, written };
}

describe("OpenAI error shape", () => {
  it("maps every core code to an OpenAI error type", () => {
    expect(Object.keys(openAIErrorType).sort()).toEqual(Object.keys(errorStatus).sort());
    expect(openAIErrorType.invalid_api_key).toBe("authentication_error");
    expect(openAIErrorType.model_not_allowed).toBe("permission_error");
    expect(openAIErrorType.rate_limited).toBe("rate_limit_error");
    expect(openAIErrorType.upstream_timeout).toBe("api_error");
    expect(openAIErrorType.invalid_request).toBe("invalid_request_error");
  });

  it("writes message, type, code and param (the field, when there is one)", () => {
    expect(errorBody(new AppError("key_revoked", "This API key has been revoked."))).toEqual({
      error: {
        message: "This API key has been revoked.",
        type: "authentication_error",
        code: "key_revoked",
        param: null,
      },
    });
    expect(
      errorBody(new AppError("invalid_request", "bad", { fieldErrors: { messages: ["must be an array"] } }))
        .error.param,
    ).toBe("messages");
  });

  it("sends the status from core, the caller's headers and Retry-After", () => {
    const { res, written } = capture();
    sendError(res, new AppError("rate_limited", "slow down", { retryAfterSeconds: 2.2 }), [
      "x-request-id",
      "r1",
    ]);
    expect(written.status).toBe(429);
    expect(written.headers).toEqual([
      "x-request-id",
      "r1",
      "content-type",
      "application/json",
      "content-length",
      String(Buffer.byteLength(written.body ?? "")),
      "retry-after",
      "3",
    ]);
    expect(JSON.parse(written.body ?? "")).toMatchObject({
      error: { code: "rate_limited", type: "rate_limit_error" },
    });
  });

  it("turns anything unexpected into an opaque internal_error", () => {
    const err = toAppError(new TypeError("x is undefined"));
    expect(err.code).toBe("internal_error");
    expect(err.status).toBe(500);
    expect(err.message).not.toContain("undefined");
    const known = new AppError("model_not_found", "nope");
    expect(toAppError(known)).toBe(known);
  });

  it("frames a stream error as one SSE event", () => {
    const event = sseErrorEvent(new AppError("upstream_error", "dropped"));
    expect(event.startsWith("data: {")).toBe(true);
    expect(event.endsWith("\n\n")).toBe(true);
    expect(JSON.parse(event.slice(6))).toMatchObject({
      error: { code: "upstream_error", message: "dropped" },
    });
  });
});
