import { describe, expect, it } from "vitest";
import { dollarsToMicros, formatPrice, microsToDollars } from "./money.ts";

describe("dollars per million tokens to micro-dollars", () => {
  it("converts on the digits, exactly", () => {
    expect(dollarsToMicros("2.50")).toBe(2_500_000);
    expect(dollarsToMicros("0.15")).toBe(150_000);
    expect(dollarsToMicros("0.000001")).toBe(1);
    expect(dollarsToMicros("10")).toBe(10_000_000);
    expect(dollarsToMicros(".5")).toBe(500_000);
    expect(dollarsToMicros("3.")).toBe(3_000_000);
  });

  it("reads a leading dollar sign and spaces, and an empty box as no price", () => {
    expect(dollarsToMicros(" $1.25 ")).toBe(1_250_000);
    expect(dollarsToMicros("")).toBe(0);
    expect(dollarsToMicros("   ")).toBe(0);
  });

  it("refuses what is not an amount, negatives, and more than 6 decimals", () => {
    for (const text of ["abc", "-1", "1.2.3", "1,5", ".", "$", "0.0000001", "1e3"]) {
      expect(dollarsToMicros(text), text).toBeNull();
    }
  });
});

describe("micro-dollars back to dollars", () => {
  it("gives the shortest form a box shows", () => {
    expect(microsToDollars(2_500_000)).toBe("2.5");
    expect(microsToDollars(150_000)).toBe("0.15");
    expect(microsToDollars(1)).toBe("0.000001");
    expect(microsToDollars(0)).toBe("0");
    expect(microsToDollars(12_000_000)).toBe("12");
  });

  it("round-trips what a form reads", () => {
    for (const text of ["2.5", "0.15", "0.000001", "1234.567891"]) {
      expect(microsToDollars(dollarsToMicros(text)!)).toBe(text);
    }
  });

  it("shows a price with at least cents", () => {
    expect(formatPrice(2_500_000)).toBe("$2.50");
    expect(formatPrice(0)).toBe("$0.00");
    expect(formatPrice(1)).toBe("$0.000001");
    expect(formatPrice(1_500_000_000)).toBe("$1,500.00");
  });
});
