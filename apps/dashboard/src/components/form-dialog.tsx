/**
 * A dialog around one form: title, description, the form's fields, and a footer with Cancel and the
 * submit button. While the save runs the dialog cannot be dismissed and both buttons are disabled.
 */
import type { ReactNode } from "react";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "./ui/dialog.tsx";
import { DialogActions } from "./ui/dialog-actions.tsx";

export type FormDialogProps = {
  open: boolean;
  /** Called when the user opens or dismisses the dialog; never while `pending`. */
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  /** The form's id (the footer's submit button points at it) and its accessible name. */
  formId: string;
  formLabel: string;
  /** Runs on submit, after the browser's own submission is prevented. */
  onSubmit: () => void;
  /** The save is running. */
  pending: boolean;
  submitLabel: ReactNode;
  /** Disables the submit button for a reason other than `pending` (a conflict to resolve first). */
  submitDisabled?: boolean;
  contentClassName?: string;
  children: ReactNode;
};

export function FormDialog({
  open,
  onOpenChange,
  title,
  description,
  formId,
  formLabel,
  onSubmit,
  pending,
  submitLabel,
  submitDisabled = false,
  contentClassName,
  children,
}: FormDialogProps) {
  return (
    <Dialog open={open} onOpenChange={(next) => !pending && onOpenChange(next)}>
      <DialogContent className={contentClassName}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <form
          id={formId}
          onSubmit={(event) => {
            event.preventDefault();
            onSubmit();
          }}
          noValidate
          aria-label={formLabel}
          className="grid gap-4"
        >
          {children}
        </form>
        <DialogActions type="submit" form={formId} pending={pending} disabled={submitDisabled}>
          {submitLabel}
        </DialogActions>
      </DialogContent>
    </Dialog>
  );
}
