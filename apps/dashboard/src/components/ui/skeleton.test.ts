/**
 * The loading skeletons must be visible: their colour differs from the surfaces they sit on (card,
 * page) by a clear step of lightness in both themes. The colours are the theme's CSS variables.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("../../index.css", import.meta.url), "utf8");

function block(selector: string): string {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`index.css has no ${selector} block`);
  return css.slice(start, css.indexOf("}", start));
}

/** The L of an `oklch(L C H)` variable in a block. */
function lightness(selector: string, variable: string): number {
  const match = block(selector).match(new RegExp(`--${variable}:\\s*oklch\\(([\\d.]+)`));
  if (!match) throw new Error(`${selector} sets no oklch --${variable}`);
  return Number(match[1]);
}

/** Enough for the pulse's lowest point (half opacity) to stay visible. */
const minStep = 0.1;

describe("skeleton colour", () => {
  for (const theme of [":root", ".dark"]) {
    it(`stands out from the card and the page in ${theme}`, () => {
      const skeleton = lightness(theme, "skeleton");
      for (const surface of ["card", "background"]) {
        expect(Math.abs(skeleton - lightness(theme, surface)), surface).toBeGreaterThanOrEqual(minStep);
      }
    });
  }

  it("is what the Skeleton component paints with", () => {
    const source = readFileSync(new URL("./skeleton.tsx", import.meta.url), "utf8");
    expect(source).toContain("bg-skeleton");
    expect(css).toContain("--color-skeleton: var(--skeleton)");
  });
});
