/** A FormField holding one text Input, bound to a string value. */
import type * as React from "react";
import { FormField, type FormFieldProps } from "./ui/form-field.tsx";
import { Input } from "./ui/input.tsx";

export type TextFieldProps = Omit<FormFieldProps, "children"> &
  Omit<React.ComponentProps<"input">, "id" | "value" | "onChange" | "className" | "children"> & {
    value: string;
    onValueChange: (value: string) => void;
  };

export function TextField({
  id,
  label,
  errors,
  description,
  className,
  value,
  onValueChange,
  ...inputProps
}: TextFieldProps) {
  return (
    <FormField id={id} label={label} errors={errors} description={description} className={className}>
      <Input value={value} onChange={(e) => onValueChange(e.target.value)} {...inputProps} />
    </FormField>
  );
}
