/**
 * A dialog around one form: title, description, the form's fields, and a footer with Cancel and the
 * submit button. While the save runs the dialog cannot be dismissed and both buttons are disabled.
 */
import type { ReactNode } from "react";
import type { FieldValues, SubmitHandler, UseFormReturn } from "react-hook-form";
import { Form } from "./form/form.tsx";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "./ui/dialog.tsx";
import { DialogActions } from "./ui/dialog-actions.tsx";

export type FormDialogProps<Values extends FieldValues, Output> = {
  open: boolean;
  /** Called when the user opens or dismisses the dialog; never while `pending`. */
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  /** The form's id (the footer's submit button points at it) and its accessible name. */
  formId: string;
  formLabel: string;
  form: UseFormReturn<Values, unknown, Output>;
  /** Runs with the schema's output once every field is valid. */
  onSubmit: SubmitHandler<Output>;
  /** The last failed save, whose field errors show under the fields. */
  serverError?: unknown;
  /** The save is running. */
  pending: boolean;
  submitLabel: ReactNode;
  /** Disables the submit button for a reason other than `pending` (a conflict to resolve first). */
  submitDisabled?: boolean;
  contentClassName?: string;
  children: ReactNode;
};

export function FormDialog<Values extends FieldValues, Output>({
  open,
  onOpenChange,
  title,
  description,
  formId,
  formLabel,
  form,
  onSubmit,
  serverError,
  pending,
  submitLabel,
  submitDisabled = false,
  contentClassName,
  children,
}: FormDialogProps<Values, Output>) {
  return (
    <Dialog open={open} onOpenChange={(next) => !pending && onOpenChange(next)}>
      <DialogContent className={contentClassName}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <Form
          form={form}
          onSubmit={onSubmit}
          serverError={serverError}
          id={formId}
          aria-label={formLabel}
          className="grid min-w-0 gap-4"
        >
          {children}
        </Form>
        <DialogActions type="submit" form={formId} pending={pending} disabled={submitDisabled}>
          {submitLabel}
        </DialogActions>
      </DialogContent>
    </Dialog>
  );
}
