/**
 * What a form shows after a failed save: the server's field errors under their fields (client-side
 * checks win where both name a field), and a general alert only when the server named no field.
 */
import { useState } from "react";
import { type ApiError, describeError } from "./errors.ts";

export type FieldErrors = Record<string, string[]>;

export type FormErrors = {
  /** The failed mutation, described; undefined when there is none. */
  serverError: ApiError | undefined;
  /** Messages per field: the server's, overridden by the client's own checks. */
  fieldErrors: FieldErrors;
  /** The server error when it names no field, so it belongs in an alert above the form. */
  generalError: ApiError | undefined;
};

export function formErrors(mutationError: unknown, clientErrors: FieldErrors): FormErrors {
  const serverError = mutationError ? describeError(mutationError) : undefined;
  return {
    serverError,
    fieldErrors: { ...serverError?.fieldErrors, ...clientErrors },
    generalError: serverError && Object.keys(serverError.fieldErrors).length === 0 ? serverError : undefined,
  };
}

/** A 409 about the version that was edited: someone else saved first. */
export function isVersionConflict(error: ApiError | undefined): error is ApiError {
  return error?.code === "CONFLICT" && Object.keys(error.fieldErrors).length === 0;
}

/** The form's own (client-side) errors as state, merged with what its mutation's failure says. */
export function useFormErrors(mutationError: unknown) {
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  return { ...formErrors(mutationError, clientErrors), setClientErrors };
}
