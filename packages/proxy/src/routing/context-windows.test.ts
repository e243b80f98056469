import { describe, expect, it } from "vitest";
import { preferFitting } from "./context-windows.ts";

const windows = new Map<string, number | null>([
  ["small", 4000],
  ["unknown", null],
  ["large", 128_000],
  ["medium", 16_000],
]);
const windowOf = (id: string) => windows.get(id) ?? null;

describe("preferFitting", () => {
  it("keeps the order, and the very list, when the prompt fits every known window", () => {
    const candidates = ["small", "unknown", "large"] as const;
    expect(preferFitting(candidates, 1000, windowOf)).toBe(candidates);
  });

  it("moves the deployments too small for the prompt last, each group in order", () => {
    expect(preferFitting(["small", "medium", "unknown", "large"], 10_000, windowOf)).toEqual([
      "medium",
      "unknown",
      "large",
      "small",
    ]);
    expect(preferFitting(["small", "medium", "large"], 20_000, windowOf)).toEqual([
      "large",
      "small",
      "medium",
    ]);
  });

  it("keeps every candidate when none fits: the provider's own error is still the answer", () => {
    expect(preferFitting(["medium", "small"], 1e6, windowOf)).toEqual(["medium", "small"]);
  });
});
