import { describe, expect, it } from "vitest";
import { text, unstorableTextMessage } from "./text.ts";

describe("text()", () => {
  const name = text().trim().min(1, "Give it a name").max(10, "At most 10 characters");

  it("takes any storable text, emoji and accents included, and still trims and bounds it", () => {
    expect(name.parse("  modèle 😀 ")).toBe("modèle 😀");
    expect(name.safeParse("   ").error?.issues.map((i) => i.message)).toEqual(["Give it a name"]);
    expect(name.safeParse("x".repeat(11)).error?.issues.map((i) => i.message)).toEqual([
      "At most 10 characters",
    ]);
  });

  it("refuses a NUL and unpaired surrogates with one message of its own", () => {
    for (const bad of ["a\u0000b", "\u0000", "a\ud800", "\udc00b", "x\ud83d"]) {
      expect(
        name.safeParse(bad).error?.issues.map((i) => i.message),
        JSON.stringify(bad),
      ).toEqual([unstorableTextMessage]);
    }
  });

  it("takes a custom message for a value that is not a string", () => {
    expect(text({ error: "Enter some text" }).safeParse(42).error?.issues[0]?.message).toBe(
      "Enter some text",
    );
  });
});
