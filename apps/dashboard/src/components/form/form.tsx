/**
 * A form on react-hook-form: `useZodForm(schema, defaults)` holds the values, `Form` renders the
 * <form>, and the field components (TextField, Field, ToggleField) bind label, control, description
 * and error by name. A failed submit moves focus to the first invalid field, in the page's order;
 * so do the field errors of a failed save (`serverError`), which show under their fields until the
 * field is changed, while a failure that names no field of the form is left to the caller's alert.
 */
import { type ReactNode, useEffect, useRef, useState } from "react";
import {
  type FieldValues,
  FormProvider,
  type Path,
  type SubmitHandler,
  type UseFormReturn,
} from "react-hook-form";
import { focusFirstError } from "./focus-first-error.ts";
import { serverProblems } from "./server-errors.ts";

export type FormProps<Values extends FieldValues, Output> = {
  form: UseFormReturn<Values, unknown, Output>;
  /** Runs with the schema's output once every field is valid. */
  onSubmit: SubmitHandler<Output>;
  /** The last failed save; its field errors are placed under the form's fields. */
  serverError?: unknown;
  id?: string;
  "aria-label"?: string;
  className?: string;
  children: ReactNode;
};

export function Form<Values extends FieldValues, Output>({
  form,
  onSubmit,
  serverError,
  id,
  "aria-label": ariaLabel,
  className,
  children,
}: FormProps<Values, Output>) {
  const ref = useRef<HTMLFormElement>(null);
  const [focusRequest, setFocusRequest] = useState(0);

  useEffect(() => {
    if (focusRequest === 0) return;
    // A frame later, once every field has rendered its error (each subscribes on its own).
    const frame = requestAnimationFrame(() => focusFirstError(ref.current));
    return () => cancelAnimationFrame(frame);
  }, [focusRequest]);

  useEffect(() => {
    const { fieldErrors } = serverProblems(serverError, Object.keys(form.getValues()));
    const entries = Object.entries(fieldErrors);
    for (const [name, messages] of entries) {
      form.setError(name as Path<Values>, { type: "server", message: messages.join(" ") });
    }
    if (entries.length > 0) setFocusRequest((n) => n + 1);
  }, [serverError, form]);

  return (
    <FormProvider {...form}>
      <form
        ref={ref}
        id={id}
        aria-label={ariaLabel}
        className={className}
        noValidate
        onSubmit={form.handleSubmit(onSubmit, () => setFocusRequest((n) => n + 1))}
      >
        {children}
      </form>
    </FormProvider>
  );
}
