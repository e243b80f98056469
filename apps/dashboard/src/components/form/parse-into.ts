/**
 * For a form schema that reads text boxes and then hands the result to core's input schema: parses
 * `value` with `schema` inside a transform, and reports its issues as the form's own (same paths,
 * same messages), so the fields show core's messages.
 */
import { z } from "zod";

export function parseInto<T>(schema: z.ZodType<T>, value: unknown, ctx: z.RefinementCtx): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  }
  return z.NEVER;
}
