/**
 * A react-hook-form form validated by a zod schema (core's, or one built on core's fields). The
 * first submit validates everything; after a failed submit each field revalidates as it changes, so
 * an error goes away the moment the field is fixed. Focus is moved by `Form` (to the first error in
 * the page's order, which RHF's own registration-order focus does not follow).
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { type DefaultValues, type FieldValues, type UseFormReturn, useForm } from "react-hook-form";
import type { z } from "zod";

export function useZodForm<Schema extends z.ZodType<unknown, FieldValues>>(
  schema: Schema,
  defaultValues: DefaultValues<z.input<Schema>>,
): UseFormReturn<z.input<Schema>, unknown, z.output<Schema>> {
  return useForm<z.input<Schema>, unknown, z.output<Schema>>({
    // The resolver's generics do not narrow through a generic schema; the types above are what it returns.
    resolver: zodResolver(schema as never) as never,
    defaultValues,
    mode: "onSubmit",
    reValidateMode: "onChange",
    shouldFocusError: false,
  });
}
