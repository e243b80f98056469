/**
 * The sign-in form: core's `LoginInput` (the server's rules), with an empty email asked for as such
 * rather than called invalid.
 */
import { LoginInput } from "@switchyard/core";
import { z } from "zod";
import { parseInto } from "../../components/form/parse-into.ts";

export type LoginValues = { email: string; password: string };
export const emptyLogin: LoginValues = { email: "", password: "" };

export const LoginForm = z.object({ email: z.string(), password: z.string() }).transform((v, ctx) => {
  if (v.email.trim() === "") {
    ctx.addIssue({ code: "custom", path: ["email"], message: "Enter your email" });
    // The password's own rule is still said alongside.
    if (v.password === "")
      ctx.addIssue({ code: "custom", path: ["password"], message: "Enter your password" });
    return z.NEVER;
  }
  return parseInto(LoginInput, v, ctx);
});
