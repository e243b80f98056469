import { describe, expect, it } from "vitest";
import { loginPath, safeNext } from "./login-path.ts";

describe("login redirects", () => {
  it("keep the page and its query to come back to", () => {
    expect(loginPath("/audit?action=auth.login")).toBe("/login?next=%2Faudit%3Faction%3Dauth.login");
    expect(safeNext("/audit?action=auth.login")).toBe("/audit?action=auth.login");
  });

  it("never send the user to another origin", () => {
    for (const next of [
      "https://evil.example",
      "//evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "",
    ]) {
      expect(safeNext(next)).toBe("/");
    }
    expect(safeNext(null)).toBe("/");
  });

  it("never loop back to the login page", () => {
    expect(safeNext("/login?next=/audit")).toBe("/");
    expect(loginPath("/")).toBe("/login");
  });
});
