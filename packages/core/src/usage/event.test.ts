import { describe, expect, it } from "vitest";
import { costMicros, isStorableText, toStorableText } from "./event.ts";

describe("storable text", () => {
  it("tells apart what Postgres text can hold", () => {
    expect(isStorableText("gpt-4o 😀 modèle")).toBe(true);
    expect(isStorableText("a\u0000b")).toBe(false);
    expect(isStorableText("a\ud800b")).toBe(false);
    expect(isStorableText("a\udc00")).toBe(false);
    expect(isStorableText("\ud83d")).toBe(false);
  });

  it("drops NULs, replaces unpaired surrogates and never cuts a pair in half", () => {
    expect(toStorableText("a\u0000b", 10)).toBe("ab");
    expect(toStorableText("a\udc00b\ud800", 10)).toBe("a\ufffdb\ufffd");
    expect(toStorableText("abc😀", 4)).toBe("abc");
    expect(toStorableText("abc😀", 5)).toBe("abc😀");
    expect(toStorableText("abcdef", 3)).toBe("abc");
    for (const s of ["x\u0000\ud800😀😀😀", "😀".repeat(10)]) {
      expect(isStorableText(toStorableText(s, 5))).toBe(true);
    }
  });
});

describe("costMicros", () => {
  it("rounds up to the next micro-dollar", () => {
    expect(costMicros(1, 0, { inputMicrosPerMTok: 1, outputMicrosPerMTok: 0 })).toBe(1);
    expect(costMicros(1_000_000, 1_000_000, { inputMicrosPerMTok: 3, outputMicrosPerMTok: 7 })).toBe(10);
    expect(costMicros(0, 0, { inputMicrosPerMTok: 5, outputMicrosPerMTok: 5 })).toBe(0);
  });
});
