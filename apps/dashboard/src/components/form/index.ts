/** The form pieces every dashboard form is built from (see form.tsx). */
export { Field, type FieldControl, TextField, ToggleField, useFieldError } from "./fields.tsx";
export { Form, type FormProps } from "./form.tsx";
export { isAlreadyCreated, isVersionConflict, type ServerProblems, serverProblems } from "./server-errors.ts";
export { useCreateOnce } from "./use-create-once.ts";
export { useZodForm } from "./use-zod-form.ts";
