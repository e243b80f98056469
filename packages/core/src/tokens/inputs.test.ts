import { describe, expect, it } from "vitest";
import { Role } from "../auth/roles.ts";
import { CreateTokenInput, roleWithin, tokenStatus } from "./inputs.ts";

describe("roleWithin", () => {
  it("lets an admin hand out any role, and no one else hand out a role with more", () => {
    for (const role of Role.options) expect(roleWithin(role, "admin")).toBe(true);
    expect(roleWithin("admin", "reviewer")).toBe(false);
    expect(roleWithin("admin", "finance")).toBe(false);
    // Neither holds all of the other's permissions: not a ladder.
    expect(roleWithin("finance", "reviewer")).toBe(false);
    expect(roleWithin("reviewer", "finance")).toBe(false);
    expect(roleWithin("finance", "finance")).toBe(true);
  });
});

describe("tokens", () => {
  it("expire within a day to a year", () => {
    const ok = (expiresInDays: number) =>
      CreateTokenInput.safeParse({ name: "t", role: "admin", expiresInDays }).success;
    expect([ok(1), ok(365)]).toEqual([true, true]);
    expect([ok(0), ok(366), ok(2.5)]).toEqual([false, false, false]);
  });

  it("are revoked, expired or active, in that order", () => {
    const now = new Date("2026-12-03T00:00:00Z");
    const past = "2026-12-02T00:00:00Z";
    const future = "2026-12-04T00:00:00Z";
    expect(tokenStatus({ expiresAt: future, revokedAt: null }, now)).toBe("active");
    expect(tokenStatus({ expiresAt: past, revokedAt: null }, now)).toBe("expired");
    expect(tokenStatus({ expiresAt: past, revokedAt: past }, now)).toBe("revoked");
  });
});
