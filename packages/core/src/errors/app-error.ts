/** One domain error type for the whole product; each code maps to one HTTP status, here. */
export const errorStatus = {
  invalid_request: 400,
  unauthenticated: 401,
  invalid_api_key: 401,
  key_expired: 401,
  key_revoked: 401,
  forbidden: 403,
  model_not_allowed: 403,
  content_blocked: 403,
  not_found: 404,
  model_not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  budget_exceeded: 429,
  rate_limited: 429,
  too_many_attempts: 429,
  upstream_error: 502,
  service_unavailable: 503,
  upstream_timeout: 504,
  internal_error: 500,
} as const;
export type ErrorCode = keyof typeof errorStatus;

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds the caller should wait before trying again (429s). */
  readonly retryAfterSeconds: number | undefined;
  readonly fieldErrors: FieldErrors | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryAfterSeconds?: number; fieldErrors?: FieldErrors; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.fieldErrors = options.fieldErrors;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
