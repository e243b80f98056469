/**
 * A labelled form control with its inline errors. It wires `id`, `aria-invalid` and `aria-describedby`
 * onto the control so that screen readers (and tests selecting by label) find the message.
 */
import { Slot } from "radix-ui";
import type * as React from "react";
import { cn } from "../../lib/utils.ts";
import { Label } from "./label.tsx";

export type FormFieldProps = {
  id: string;
  label: React.ReactNode;
  /** Messages for this field, from the client-side zod parse or the server's `fieldErrors`. */
  errors?: readonly string[] | undefined;
  description?: React.ReactNode;
  className?: string;
  /**
   * Exactly one control (an Input...), which receives the id and aria attributes; or, for a control
   * whose focusable element sits inside a wrapper (a Select's trigger), a function that places them.
   */
  children: React.ReactElement | ((control: FormControlProps) => React.ReactNode);
};

export type FormControlProps = {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
};

export function FormField({ id, label, errors, description, className, children }: FormFieldProps) {
  const invalid = errors !== undefined && errors.length > 0;
  const descriptionId = description ? `${id}-description` : undefined;
  const errorId = invalid ? `${id}-error` : undefined;
  const describedBy = [descriptionId, errorId].filter(Boolean).join(" ") || undefined;
  const control: FormControlProps = {
    id,
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy,
  };
  return (
    // content-start: in a row of fields, a taller neighbour (a two-line error) must not spread this
    // field's label and control apart, so labels and controls stay level across the row.
    <div data-slot="form-field" className={cn("grid content-start gap-2", className)}>
      <Label htmlFor={id} className={cn(invalid && "text-destructive")}>
        {label}
      </Label>
      {typeof children === "function" ? children(control) : <Slot.Root {...control}>{children}</Slot.Root>}
      {description && (
        <p id={descriptionId} className="text-sm text-muted-foreground">
          {description}
        </p>
      )}
      {invalid && (
        <p id={errorId} className="text-sm text-destructive">
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}
