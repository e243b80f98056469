/**
 * Editing a record under optimistic concurrency: the edit names the version it was opened at, and when
 * someone else saved first the server refuses it (409). This keeps the version being edited (`base`),
 * tells a version conflict apart from other failures, and reloads the saved version on request; when
 * the record no longer exists, `gone` is set instead. Field errors of a failed save are the form's to
 * show (`Form`'s `serverError`); what names no field of the form is `generalError`.
 */
import { useState } from "react";
import { toast } from "sonner";
import { isVersionConflict, serverProblems } from "../components/form/server-errors.ts";
import { describeError } from "./errors.ts";

export type ConflictAwareSaveOptions<T> = {
  /** The record as the dialog opened it. */
  initial: T | null;
  /** Fetches the record as it is saved now; undefined when it is gone. */
  fetchFresh: (id: string) => Promise<T | undefined>;
  /** Puts a reloaded record into the form. */
  onReloaded: (fresh: T) => void;
  /** The toast title when the reload itself fails. */
  reloadFailedTitle: string;
  /** The form's field names: a server error naming one of them shows under it, not in an alert. */
  formFields: readonly string[];
};

export function useConflictAwareSave<T extends { id: string }>(
  mutation: { error: unknown; reset: () => void },
  { initial, fetchFresh, onReloaded, reloadFailedTitle, formFields }: ConflictAwareSaveOptions<T>,
) {
  // The version being edited: the record as opened, or as reloaded after a conflict.
  const [base, setBase] = useState<T | null>(initial);
  const [reloading, setReloading] = useState(false);
  const [gone, setGone] = useState(false);

  async function reload() {
    if (!base) return;
    setReloading(true);
    try {
      const fresh = await fetchFresh(base.id);
      if (!fresh) {
        setGone(true);
        return;
      }
      setBase(fresh);
      onReloaded(fresh);
      mutation.reset();
    } catch (error) {
      toast.error(reloadFailedTitle, { description: describeError(error).message });
    } finally {
      setReloading(false);
    }
  }

  const { general } = serverProblems(mutation.error, formFields);
  const conflictError = isVersionConflict(general) ? general : undefined;
  return {
    base,
    /** The 409 to resolve by reloading; saving stays disabled until then. */
    conflictError,
    /** A failure that names no field and is not a conflict. */
    generalError: conflictError ? undefined : general,
    gone,
    reload,
    reloading,
    /** Saving makes no sense until the conflict is resolved, nor once the record is gone. */
    blocked: conflictError !== undefined || gone,
  };
}

export type ConflictAwareSave = ReturnType<typeof useConflictAwareSave>;
