/**
 * What a form does with a failed mutation: the server's field errors go under the fields the form
 * has (see `Form`), and whatever names no such field is said in an alert above the form.
 */
import { type ApiError, describeError } from "../../lib/errors.ts";

export type ServerProblems = {
  /** Messages per field the form shows. */
  fieldErrors: Record<string, string[]>;
  /** The failure when no field of the form can show it (its message includes any unplaced field errors). */
  general: ApiError | undefined;
};

export function serverProblems(error: unknown, formFields: readonly string[]): ServerProblems {
  if (!error) return { fieldErrors: {}, general: undefined };
  const described = describeError(error);
  const fieldErrors: Record<string, string[]> = {};
  const unplaced: string[] = [];
  for (const [name, messages] of Object.entries(described.fieldErrors)) {
    if (formFields.includes(name)) fieldErrors[name] = messages;
    else unplaced.push(...messages);
  }
  const placed = Object.keys(fieldErrors).length > 0;
  if (placed && unplaced.length === 0) return { fieldErrors, general: undefined };
  return {
    fieldErrors,
    general: unplaced.length > 0 ? { ...described, message: unplaced.join(" ") } : described,
  };
}

/** A 409 about the version that was edited: someone else saved first. */
export function isVersionConflict(error: ApiError | undefined): error is ApiError {
  return error?.code === "CONFLICT" && Object.keys(error.fieldErrors).length === 0;
}

/** The answer to a repeated create (same idempotency key): the first one already succeeded. */
export function isAlreadyCreated(error: unknown): boolean {
  const described = describeError(error);
  return described.code === "CONFLICT" && described.message.startsWith("Already created");
}
