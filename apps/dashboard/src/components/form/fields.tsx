/**
 * Fields of a `Form`, each bound by name: the label, the control, the description and the error
 * share ids, so the control is labelled and described (aria-describedby) and marked aria-invalid
 * while its error shows. TextField is a registered <input>; Field hands a controlled control (a
 * Select, a list of checkboxes) its value and aria props; ToggleField is a checkbox or switch with its
 * label beside it.
 */
import type * as React from "react";
import {
  type ControllerRenderProps,
  type FieldValues,
  get,
  useController,
  useFormContext,
  useFormState,
} from "react-hook-form";
import { cn } from "../../lib/utils.ts";
import { Checkbox } from "../ui/checkbox.tsx";
import { type FormControlProps, FormField } from "../ui/form-field.tsx";
import { Input } from "../ui/input.tsx";
import { Label } from "../ui/label.tsx";
import { Switch } from "../ui/switch.tsx";

type FieldFrame = {
  /** The value's name in the form (a dotted path for nested values). */
  name: string;
  /** The control's id; defaults to the name. */
  id?: string;
  label: React.ReactNode;
  description?: React.ReactNode;
  className?: string;
};

/** The field's current error message, or undefined. */
export function useFieldError(name: string): string | undefined {
  const { errors } = useFormState({ name });
  const error = get(errors, name) as { message?: string; root?: { message?: string } } | undefined;
  return error?.message ?? error?.root?.message;
}

function messages(error: string | undefined): string[] | undefined {
  return error ? [error] : undefined;
}

export type TextFieldProps = FieldFrame &
  Omit<React.ComponentProps<"input">, "id" | "name" | "className" | "children" | "value" | "onChange">;

export function TextField({ name, id = name, label, description, className, ...inputProps }: TextFieldProps) {
  const { register } = useFormContext();
  const error = useFieldError(name);
  return (
    <FormField id={id} label={label} errors={messages(error)} description={description} className={className}>
      <Input {...inputProps} {...register(name)} />
    </FormField>
  );
}

export type FieldControl = {
  field: ControllerRenderProps<FieldValues, string>;
  /** The id and aria attributes for the focusable control. */
  control: FormControlProps;
};

export function Field({
  name,
  id = name,
  label,
  description,
  className,
  children,
}: FieldFrame & { children: (props: FieldControl) => React.ReactNode }) {
  const { field } = useController({ name });
  const error = useFieldError(name);
  return (
    <FormField id={id} label={label} errors={messages(error)} description={description} className={className}>
      {(control) => children({ field, control })}
    </FormField>
  );
}

export function ToggleField({
  name,
  id = name,
  label,
  description,
  className,
  kind = "checkbox",
  onCheckedChange,
}: FieldFrame & {
  kind?: "checkbox" | "switch";
  /** Called after the value changes (to reset fields that depend on it). */
  onCheckedChange?: (checked: boolean) => void;
}) {
  const { field } = useController({ name });
  const error = useFieldError(name);
  const descriptionId = description ? `${id}-description` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const props = {
    id,
    ref: field.ref,
    checked: field.value === true,
    onBlur: field.onBlur,
    onCheckedChange: (value: boolean | "indeterminate") => {
      field.onChange(value === true);
      onCheckedChange?.(value === true);
    },
    "aria-invalid": error ? true : undefined,
    "aria-describedby": [descriptionId, errorId].filter(Boolean).join(" ") || undefined,
  };
  return (
    <div data-slot="form-field" className={cn("grid content-start gap-2", className)}>
      <div className="flex items-center gap-3">
        {kind === "switch" ? <Switch {...props} /> : <Checkbox {...props} />}
        <Label htmlFor={id} className={cn(kind === "checkbox" && "font-normal", error && "text-destructive")}>
          {label}
        </Label>
      </div>
      {description && (
        <p id={descriptionId} className="text-sm text-muted-foreground">
          {description}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-sm text-destructive">
          {error}
        </p>
      )}
    </div>
  );
}
