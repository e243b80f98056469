/**
 * The alerts above an edit form saved under optimistic concurrency (see useConflictAwareSave): the
 * record is gone, someone else saved first (with Reload), or the save failed for another reason.
 * The conflict alert says in its own words what Reload does; the server's message (which tells an
 * API caller to reload) would say it a second time.
 */
import { RefreshCwIcon } from "lucide-react";
import type { ReactNode } from "react";
import type { ConflictAwareSave } from "../lib/use-conflict-aware-save.ts";
import { ErrorAlert } from "./error-alert.tsx";
import { Button } from "./ui/button.tsx";

export const conflictExplanation =
  "Their version replaces what is in this form; make your changes again on top of it.";

export function SaveProblems({
  save,
  goneTitle,
  goneMessage,
  conflictTitle,
  failedTitle,
}: {
  save: Pick<ConflictAwareSave, "gone" | "conflictError" | "generalError" | "reload" | "reloading">;
  goneTitle: string;
  goneMessage: ReactNode;
  conflictTitle: string;
  failedTitle: string;
}) {
  return (
    <>
      {save.gone && <ErrorAlert title={goneTitle}>{goneMessage}</ErrorAlert>}
      {save.conflictError && !save.gone && (
        <ErrorAlert title={conflictTitle}>
          <p>{conflictExplanation}</p>
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
