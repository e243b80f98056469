import { describe, expect, it } from "vitest";
import { RotateKeyForm } from "./rotate-key-form.ts";

function error(graceMinutes: string, unit: "minutes" | "hours") {
  const result = RotateKeyForm.safeParse({ graceMinutes, unit });
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe("the rotate form's grace period", () => {
  it("is read in the chosen unit", () => {
    expect(RotateKeyForm.parse({ graceMinutes: " 2 ", unit: "hours" })).toEqual({ graceMinutes: 120 });
    expect(RotateKeyForm.parse({ graceMinutes: "0", unit: "minutes" })).toEqual({ graceMinutes: 0 });
  });

  it("says its maximum in the unit chosen", () => {
    expect(error("169", "hours")).toBe("Use at most 168 hours (7 days)");
    expect(error("10081", "minutes")).toBe("Use at most 10080 minutes (7 days)");
    expect(error("168", "hours")).toBeUndefined();
  });

  it("asks for a whole number", () => {
    expect(error("1.5", "hours")).toMatch(/whole number/);
    expect(error("", "minutes")).toMatch(/whole number/);
  });
});
