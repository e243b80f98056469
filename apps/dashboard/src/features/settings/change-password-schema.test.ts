import { describe, expect, it } from "vitest";
import { ChangePasswordForm, emptyChangePassword } from "./change-password-schema.ts";

function errors(values: Partial<typeof emptyChangePassword>) {
  const result = ChangePasswordForm.safeParse({ ...emptyChangePassword, ...values });
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [String(i.path[0]), i.message]));
}

describe("the change-password form", () => {
  it("with every box empty, says what is missing (not that the passwords must differ)", () => {
    expect(errors({})).toEqual({
      currentPassword: "Enter your current password",
      newPassword: "Enter a new password",
    });
  });

  it("asks for the confirmation, then for a match", () => {
    const current = "old-password-1234";
    const next = "new-password-5678";
    expect(errors({ currentPassword: current, newPassword: next })).toEqual({
      confirmPassword: "Enter the new password again",
    });
    expect(errors({ currentPassword: current, newPassword: next, confirmPassword: "x" })).toEqual({
      confirmPassword: "The passwords do not match",
    });
    expect(errors({ currentPassword: current, newPassword: next, confirmPassword: next })).toEqual({});
  });

  it("keeps core's rules: length, and a new password that differs", () => {
    expect(
      errors({ currentPassword: "a", newPassword: "short", confirmPassword: "short" }).newPassword,
    ).toMatch(/at least 12/);
    const same = "same-password-1234";
    expect(errors({ currentPassword: same, newPassword: same, confirmPassword: same }).newPassword).toMatch(
      /differ/,
    );
  });
});
