/**
 * The proxy's one error writer: every refusal leaves here in the OpenAI error shape
 * (`{"error":{"message","type","code","param"}}`), with the HTTP status from core's `errorStatus`.
 */
import type { ServerResponse } from "node:http";
import { AppError, type ErrorCode, errorStatus } from "@switchyard/core";

/** The `type` field OpenAI clients switch on. */
export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "api_error";

/** Written as a `Record` over every code so that a new code in core fails the type check here. */
export const openAIErrorType = {
  invalid_request: "invalid_request_error",
  unauthenticated: "authentication_error",
  invalid_api_key: "authentication_error",
  key_expired: "authentication_error",
  key_revoked: "authentication_error",
  forbidden: "permission_error",
  model_not_allowed: "permission_error",
  content_blocked: "permission_error",
  not_found: "invalid_request_error",
  model_not_found: "invalid_request_error",
  conflict: "invalid_request_error",
  payload_too_large: "invalid_request_error",
  budget_exceeded: "rate_limit_error",
  rate_limited: "rate_limit_error",
  too_many_attempts: "rate_limit_error",
  upstream_error: "api_error",
  service_unavailable: "api_error",
  upstream_timeout: "api_error",
  internal_error: "api_error",
} as const satisfies Record<ErrorCode, OpenAIErrorType>;

export type OpenAIErrorBody = {
  error: { message: string; type: OpenAIErrorType; code: string; param: string | null };
};

/** The field a request error is about (OpenAI's `param`), taken from the first field error. */
function paramOf(err: AppError): string | null {
  if (err.fieldErrors === undefined) return null;
  for (const field in err.fieldErrors) return field;
  return null;
}

export function errorBody(err: AppError): OpenAIErrorBody {
  return {
    error: { message: err.message, type: openAIErrorType[err.code], code: err.code, param: paramOf(err) },
  };
}

/**
 * Writes `err` as the response. `headers` is a flat `[name, value, ...]` list (the proxy's
 * x-request-id and x-switchyard-* headers) that the caller built for this answer.
 * A response whose headers already went out (a stream) cannot change status; it is ended.
 */
export function sendError(res: ServerResponse, err: AppError, headers: string[] = []): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = JSON.stringify(errorBody(err));
  const out = headers.slice();
  out.push("content-type", "application/json", "content-length", String(Buffer.byteLength(payload)));
  if (err.retryAfterSeconds !== undefined) out.push("retry-after", String(Math.ceil(err.retryAfterSeconds)));
  res.writeHead(errorStatus[err.code], out);
  res.end(payload);
}

/** Any thrown value as an AppError: domain errors as they are, everything else an opaque 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError("internal_error", "The proxy failed to handle this request; it has been recorded.", {
    cause: err,
  });
}

/** Before the first snapshot is loaded, API requests cannot be checked: retry shortly. */
export function configNotLoaded(): AppError {
  return new AppError(
    "service_unavailable",
    "The proxy has not loaded its configuration yet; retry shortly.",
    {
      retryAfterSeconds: 1,
    },
  );
}

/** One SSE event carrying an error, for a stream whose status line already went out. */
export function sseErrorEvent(err: AppError): string {
  return `data: ${JSON.stringify(errorBody(err))}\n\n`;
}
