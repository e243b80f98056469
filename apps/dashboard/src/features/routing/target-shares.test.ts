import { describe, expect, it } from "vitest";
import { formatShare, targetShares } from "./target-shares.ts";

describe("each target's share of a weighted alias", () => {
  it("is its weight over the sum, in percent", () => {
    expect(targetShares([1, 1])).toEqual([50, 50]);
    expect(targetShares([3, 1])).toEqual([75, 25]);
    expect(targetShares([1, 1, 1])).toEqual([33.3, 33.3, 33.3]);
    expect(targetShares([5, 0])).toEqual([100, 0]);
  });

  it("is 0 for every target when the weights add up to nothing, or are not numbers", () => {
    expect(targetShares([0, 0])).toEqual([0, 0]);
    expect(targetShares([Number.NaN, 2])).toEqual([0, 100]);
    expect(targetShares([])).toEqual([]);
  });

  it("reads as a percentage", () => {
    expect(formatShare(50)).toBe("50%");
    expect(formatShare(33.3)).toBe("33.3%");
  });
});
