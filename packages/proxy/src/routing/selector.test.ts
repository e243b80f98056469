import { describe, expect, it } from "vitest";
import { compileSelector, type RandomSource } from "./selector.ts";

/** mulberry32: a small seeded generator, so a run's draws are the same every time. */
function seeded(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const deployment = (id: string, weight: number) => ({ id, weight });

/** How many of `picks` draws each deployment got. */
function tally(
  selector: { pick(random: RandomSource): { id: string } },
  picks: number,
  random: RandomSource,
) {
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const { id } = selector.pick(random);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe("compileSelector", () => {
  it("priority takes the first deployment in position order, whatever the weights", () => {
    const selector = compileSelector("priority", [
      deployment("a", 0),
      deployment("b", 5),
      deployment("c", 1),
    ]);
    expect(selector?.strategy).toBe("priority");
    expect(tally(selector!, 1000, seeded(1))).toEqual(new Map([["a", 1000]]));
  });

  it("weighted draws each deployment in proportion to its weight", () => {
    const picks = 10_000;
    const weights = { a: 1, b: 3, c: 6 };
    const selector = compileSelector(
      "weighted",
      Object.entries(weights).map(([id, w]) => deployment(id, w)) as [
        ReturnType<typeof deployment>,
        ...ReturnType<typeof deployment>[],
      ],
    );
    for (const seed of [1, 2, 3]) {
      const counts = tally(selector!, picks, seeded(seed));
      for (const [id, weight] of Object.entries(weights)) {
        // Within 2 percentage points: over 5 standard deviations for the smallest share here.
        expect(Math.abs((counts.get(id) ?? 0) / picks - weight / 10)).toBeLessThan(0.02);
      }
    }
  });

  it("weighted never draws a deployment of weight 0, wherever it stands", () => {
    const selector = compileSelector("weighted", [
      deployment("zero-first", 0),
      deployment("a", 2),
      deployment("zero-middle", 0),
      deployment("b", 1),
      deployment("zero-last", 0),
    ]);
    const counts = tally(selector!, 10_000, seeded(7));
    expect([...counts.keys()].sort()).toEqual(["a", "b"]);
    // The edges of [0, 1) land on the first and last deployment drawn.
    expect(selector!.pick(() => 0).id).toBe("a");
    expect(selector!.pick(() => 1 - Number.EPSILON).id).toBe("b");
    expect(selector!.pick(() => 2 / 3 - 1e-9).id).toBe("a");
    expect(selector!.pick(() => 2 / 3).id).toBe("b");
  });

  it("weighted with one deployment of weight above 0 always takes it", () => {
    const selector = compileSelector("weighted", [deployment("off", 0), deployment("on", 4)]);
    expect(tally(selector!, 100, seeded(3))).toEqual(new Map([["on", 100]]));
  });

  it("weighted with no deployment of weight above 0 has no selector", () => {
    expect(compileSelector("weighted", [deployment("a", 0), deployment("b", 0)])).toBeNull();
  });
});

describe("candidates", () => {
  it("priority offers every deployment in position order, whatever the weights", () => {
    const selector = compileSelector("priority", [
      deployment("a", 0),
      deployment("b", 5),
      deployment("c", 1),
    ]);
    expect(selector!.candidates(Math.random).map((d) => d.id)).toEqual(["a", "b", "c"]);
  });

  it("weighted offers the drawn deployment first, then the others heaviest first, never weight 0", () => {
    const selector = compileSelector("weighted", [
      deployment("light", 1),
      deployment("off", 0),
      deployment("heavy", 6),
      deployment("middle", 3),
    ]);
    // Draws land on [0, 1) x 10: light [0, 1), heavy [1, 7), middle [7, 10).
    expect(selector!.candidates(() => 0).map((d) => d.id)).toEqual(["light", "heavy", "middle"]);
    expect(selector!.candidates(() => 0.5).map((d) => d.id)).toEqual(["heavy", "middle", "light"]);
    expect(selector!.candidates(() => 0.8).map((d) => d.id)).toEqual(["middle", "heavy", "light"]);
  });

  it("weighted candidates start with the deployment pick would draw, in the same proportions", () => {
    const selector = compileSelector("weighted", [deployment("a", 1), deployment("b", 3)]);
    for (const r of [0, 0.2, 0.24, 0.25, 0.6, 0.99]) {
      expect(selector!.candidates(() => r)[0]).toBe(selector!.pick(() => r));
    }
  });

  it("weighted ties keep position order, and a lone weighted deployment is its only candidate", () => {
    const tied = compileSelector("weighted", [deployment("a", 2), deployment("b", 2), deployment("c", 2)]);
    expect(tied!.candidates(() => 0.9).map((d) => d.id)).toEqual(["c", "a", "b"]);
    const lone = compileSelector("weighted", [deployment("off", 0), deployment("on", 4)]);
    expect(lone!.candidates(Math.random).map((d) => d.id)).toEqual(["on"]);
  });
});
