import { describe, expect, it } from "vitest";
import { bearerCredential, requestCredential } from "./authenticate.ts";

describe("bearerCredential", () => {
  it("reads the credential of a Bearer header, whatever the scheme's case, and nothing else", () => {
    expect(bearerCredential("Bearer sy_admin_abc")).toBe("sy_admin_abc");
    expect(bearerCredential("bearer  sy_admin_abc ")).toBe("sy_admin_abc");
    expect(bearerCredential("Bearer ")).toBe("");
    expect(bearerCredential("Basic dXNlcjpwYXNz")).toBeUndefined();
    expect(bearerCredential(undefined)).toBeUndefined();
  });
});

describe("requestCredential", () => {
  it("takes a Bearer over the cookie when it is an admin token, or when there is no cookie", () => {
    expect(requestCredential("Bearer sy_admin_abc", "cookie")).toEqual({
      kind: "token",
      secret: "sy_admin_abc",
    });
    expect(requestCredential("Bearer sk-sy-key", undefined)).toEqual({ kind: "token", secret: "sk-sy-key" });
  });

  it("leaves an SSO proxy's Bearer beside a session cookie to the session", () => {
    expect(requestCredential("Bearer eyJhbGciOi.jwt", "cookie")).toEqual({
      kind: "session",
      token: "cookie",
    });
    expect(requestCredential("Basic dXNlcjpwYXNz", "cookie")).toEqual({ kind: "session", token: "cookie" });
    expect(requestCredential(undefined, undefined)).toBeNull();
  });
});
