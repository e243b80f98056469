/**
 * The change-password form: core's `ChangePasswordInput` (the server's rules) plus the confirmation
 * box. An empty box is asked for by what is missing, before any rule that compares the two passwords.
 */
import { ChangePasswordInput } from "@switchyard/core";
import { z } from "zod";
import { parseInto } from "../../components/form/parse-into.ts";

export type ChangePasswordValues = { currentPassword: string; newPassword: string; confirmPassword: string };

export const emptyChangePassword: ChangePasswordValues = {
  currentPassword: "",
  newPassword: "",
  confirmPassword: "",
};

export const ChangePasswordForm = z
  .object({ currentPassword: z.string(), newPassword: z.string(), confirmPassword: z.string() })
  .transform((v, ctx) => {
    const missing = (field: keyof ChangePasswordValues, message: string) => {
      if (v[field] === "") ctx.addIssue({ code: "custom", path: [field], message });
      return v[field] === "";
    };
    const noCurrent = missing("currentPassword", "Enter your current password");
    const noNew = missing("newPassword", "Enter a new password");
    const noConfirm = !noNew && missing("confirmPassword", "Enter the new password again");
    if (noCurrent || noNew) return z.NEVER;
    if (!noConfirm && v.confirmPassword !== v.newPassword) {
      ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "The passwords do not match" });
    }
    return parseInto(
      ChangePasswordInput,
      { currentPassword: v.currentPassword, newPassword: v.newPassword },
      ctx,
    );
  });
