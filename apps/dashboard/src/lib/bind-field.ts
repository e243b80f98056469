/**
 * Binds text fields to a form's state: `bind("name")` gives a TextField its value, its change handler
 * and its errors, so each field names its key once.
 */
import type { FieldErrors } from "./form-errors.ts";

/** The keys of `V` that hold text. */
export type TextKey<V> = { [K in keyof V]: V[K] extends string ? K : never }[keyof V] & string;

export type BoundField = {
  value: string;
  onValueChange: (value: string) => void;
  errors: string[] | undefined;
};

export function fieldBinder<V extends object>(
  values: V,
  set: (key: TextKey<V>, value: string) => void,
  errors: FieldErrors,
): (key: TextKey<V>) => BoundField {
  return (key) => ({
    value: values[key] as string,
    onValueChange: (value) => set(key, value),
    errors: errors[key],
  });
}
