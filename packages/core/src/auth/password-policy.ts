/** Login and password-change inputs, shared by the control plane and the dashboard's forms. */
import { z } from "zod";
import { text } from "../validation/text.ts";

export const Email = text().trim().toLowerCase().email("Enter a valid email address").max(254);

export const NewPassword = text()
  .min(12, "Use at least 12 characters")
  .max(256, "Use at most 256 characters");

export const LoginInput = z.object({
  email: Email,
  password: text().min(1, "Enter your password").max(256),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const ChangePasswordInput = z
  .object({
    currentPassword: text().min(1, "Enter your current password").max(256),
    newPassword: NewPassword,
  })
  .refine((v) => v.currentPassword !== v.newPassword, {
    path: ["newPassword"],
    message: "The new password must differ from the current one",
  });
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;
