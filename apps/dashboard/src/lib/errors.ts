/**
 * Reads what the control plane says about a failed call. Every tRPC error's `data` carries `code` and
 * `httpStatus`, and where relevant `fieldErrors` (zod, for inline display), `retryAfterSeconds`, `appCode`.
 */
import { TRPCClientError } from "@trpc/client";
import { z } from "zod";

const ErrorData = z.looseObject({
  code: z.string().optional(),
  httpStatus: z.number().optional(),
  appCode: z.string().nullish(),
  fieldErrors: z.record(z.string(), z.array(z.string())).nullish(),
  retryAfterSeconds: z.number().nullish(),
});

export type ApiError = {
  /** The tRPC code (UNAUTHORIZED, BAD_REQUEST...), or undefined when the server was not reached. */
  code: string | undefined;
  httpStatus: number | undefined;
  appCode: string | undefined;
  message: string;
  fieldErrors: Record<string, string[]>;
  retryAfterSeconds: number | undefined;
};

const unreachable = "The control plane could not be reached. Check that it is running, then try again.";

export function describeError(error: unknown): ApiError {
  if (error instanceof TRPCClientError) {
    const parsed = ErrorData.safeParse(error.data);
    const data = parsed.success ? parsed.data : undefined;
    return {
      code: data?.code,
      httpStatus: data?.httpStatus,
      appCode: data?.appCode ?? undefined,
      // Without `data` the response was not a tRPC answer at all (network failure, proxy error page).
      message: data ? error.message : unreachable,
      fieldErrors: data?.fieldErrors ?? {},
      retryAfterSeconds: data?.retryAfterSeconds ?? undefined,
    };
  }
  return {
    code: undefined,
    httpStatus: undefined,
    appCode: undefined,
    message: error instanceof Error ? error.message : "Something went wrong.",
    fieldErrors: {},
    retryAfterSeconds: undefined,
  };
}

/** The session is missing or expired: the user has to sign in (again). */
export function isUnauthorized(error: unknown): boolean {
  const { code, httpStatus } = describeError(error);
  return code === "UNAUTHORIZED" || httpStatus === 401;
}

/** 4xx answers are final; retrying them only delays the error the user has to see. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const { httpStatus } = describeError(error);
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) return false;
  return failureCount < 2;
}

/** Field errors of a failed zod parse, in the same shape as the server's `fieldErrors`. */
export function zodFieldErrors(error: z.ZodError): Record<string, string[]> {
  return z.flattenError(error).fieldErrors as Record<string, string[]>;
}
