/**
 * The rotate dialog's form: a grace period typed as a number of minutes or hours. The rule is core's
 * `RotateKeyInput` (in minutes); the form says its limit in the unit the admin chose.
 */
import { maxRotationGraceMinutes, RotateKeyInput } from "@switchyard/core";
import { z } from "zod";

export const graceUnits = ["minutes", "hours"] as const;
export type GraceUnit = (typeof graceUnits)[number];
const unitMinutes: Record<GraceUnit, number> = { minutes: 1, hours: 60 };

/** The grace period as typed, in minutes; null when it is not a whole number. */
export function graceMinutes(amount: string, unit: GraceUnit): number | null {
  const trimmed = amount.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  return Number(trimmed) * unitMinutes[unit];
}

/** "Use at most 168 hours (7 days)" for hours, "… 10080 minutes …" for minutes. */
export function graceLimitMessage(unit: GraceUnit): string {
  return `Use at most ${maxRotationGraceMinutes / unitMinutes[unit]} ${unit} (7 days)`;
}

export type RotateKeyFormValues = { graceMinutes: string; unit: GraceUnit };

/** The form's values in, the grace period in minutes out. */
export const RotateKeyForm = z
  .object({ graceMinutes: z.string(), unit: z.enum(graceUnits) })
  .transform(({ graceMinutes: amount, unit }, ctx) => {
    const minutes = graceMinutes(amount, unit);
    const issue = (message: string) => {
      ctx.addIssue({ code: "custom", path: ["graceMinutes"], message });
      return z.NEVER;
    };
    if (minutes === null) return issue("Enter a whole number, or 0 to stop the old secret at once");
    const parsed = RotateKeyInput.shape.graceMinutes.safeParse(minutes);
    if (parsed.success) return { graceMinutes: parsed.data };
    const tooBig = parsed.error.issues.some((i) => i.code === "too_big");
    return issue(tooBig ? graceLimitMessage(unit) : (parsed.error.issues[0]?.message ?? "Enter a number"));
  });
