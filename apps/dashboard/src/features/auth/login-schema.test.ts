import { describe, expect, it } from "vitest";
import { LoginForm } from "./login-schema.ts";

function errors(email: string, password: string) {
  const result = LoginForm.safeParse({ email, password });
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [String(i.path[0]), i.message]));
}

describe("the sign-in form", () => {
  it("asks for a missing email as missing, not as invalid", () => {
    expect(errors("", "")).toEqual({ email: "Enter your email", password: "Enter your password" });
    expect(errors("  ", "secret")).toEqual({ email: "Enter your email" });
  });

  it("keeps core's rules otherwise", () => {
    expect(errors("not-an-email", "secret")).toEqual({ email: "Enter a valid email address" });
    expect(LoginForm.parse({ email: " Admin@Example.com ", password: "pw" })).toEqual({
      email: "admin@example.com",
      password: "pw",
    });
  });
});
