/**
 * The alerts above an edit form saved under optimistic concurrency (see useConflictAwareSave): the
 * record is gone, someone else saved first (with Reload), or the save failed for another reason.
 */
import { RefreshCwIcon } from "lucide-react";
import type { ReactNode } from "react";
import type { ConflictAwareSave } from "../lib/use-conflict-aware-save.ts";
import { ErrorAlert } from "./error-alert.tsx";
import { Button } from "./ui/button.tsx";

export function SaveProblems({
  save,
  goneTitle,
  goneMessage,
  conflictTitle,
  conflictHint,
  failedTitle,
}: {
  save: Pick<ConflictAwareSave, "gone" | "conflictError" | "generalError" | "reload" | "reloading">;
  goneTitle: string;
  goneMessage: ReactNode;
  conflictTitle: string;
  /** A line under the server's message, before the Reload button. */
  conflictHint?: ReactNode;
  failedTitle: string;
}) {
  return (
    <>
      {save.gone && <ErrorAlert title={goneTitle}>{goneMessage}</ErrorAlert>}
      {save.conflictError && !save.gone && (
        <ErrorAlert title={conflictTitle}>
          <p>{save.conflictError.message}</p>
          {conflictHint && <p>{conflictHint}</p>}
          <Button
            variant="outline"
            size="sm"
            className="mt-2"
            onClick={() => void save.reload()}
            disabled={save.reloading}
          >
            <RefreshCwIcon className={save.reloading ? "animate-spin" : undefined} aria-hidden />
            Reload
          </Button>
        </ErrorAlert>
      )}
      {save.generalError && <ErrorAlert title={failedTitle}>{save.generalError.message}</ErrorAlert>}
    </>
  );
}
