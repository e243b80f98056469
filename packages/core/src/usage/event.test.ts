import { describe, expect, it } from "vitest";
import {
  costMicros,
  isStorableText,
  maxUsageCostMicros,
  maxUsageTokens,
  toStorableText,
  UsageEvent,
  usageEventTimeProblem,
} from "./event.ts";

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

describe("usageEventTimeProblem", () => {
  const now = Date.parse("2026-06-15T12:00:00.000Z");

  it("takes an event from just now, a skewed clock within 5 minutes, or a spool replayed after 29 days", () => {
    expect(usageEventTimeProblem("2026-06-15T12:00:00.000Z", now)).toBeNull();
    expect(usageEventTimeProblem("2026-06-15T12:04:59.999Z", now)).toBeNull();
    expect(usageEventTimeProblem("2026-05-17T12:00:00.000Z", now)).toBeNull();
  });

  it("names what is wrong with an event from the future or from more than 30 days ago", () => {
    expect(usageEventTimeProblem("2026-06-15T12:05:00.001Z", now)).toMatch(/more than 5 minutes ahead/);
    expect(usageEventTimeProblem("2999-01-01T00:00:00.000Z", now)).toMatch(
      /ahead of the control plane's clock/,
    );
    expect(usageEventTimeProblem("2026-05-16T11:59:59.999Z", now)).toMatch(/more than 30 days old/);
    expect(usageEventTimeProblem("1999-01-01T00:00:00.000Z", now)).toMatch(/30 days old/);
  });
});

describe("UsageEvent bounds", () => {
  const event = {
    requestId: "r1",
    at: "2026-06-15T12:00:00.000Z",
    keyId: "6f1c2a4e-0000-4000-8000-000000000001",
    userId: null,
    teamId: null,
    model: "m",
    deploymentId: null,
    providerId: null,
    promptVersionId: null,
    variant: null,
    promptTokens: maxUsageTokens,
    completionTokens: maxUsageTokens,
    costMicros: maxUsageCostMicros,
    latencyMs: 1,
    ttftMs: null,
    status: 200,
    errorCode: null,
    stream: false,
    moderation: null,
  };

  it("takes the largest token counts and cost one request may have", () => {
    expect(UsageEvent.safeParse(event).success).toBe(true);
  });

  it("refuses a token count or a cost past them, and an event without a key", () => {
    const paths = (overrides: Record<string, unknown>) =>
      UsageEvent.safeParse({ ...event, ...overrides }).error?.issues.map((i) => i.path.join("."));
    expect(paths({ promptTokens: maxUsageTokens + 1 })).toEqual(["promptTokens"]);
    expect(paths({ completionTokens: maxUsageTokens + 1 })).toEqual(["completionTokens"]);
    expect(paths({ costMicros: maxUsageCostMicros + 1 })).toEqual(["costMicros"]);
    expect(paths({ costMicros: Number.MAX_SAFE_INTEGER })).toEqual(["costMicros"]);
    expect(paths({ keyId: null })).toEqual(["keyId"]);
  });
});
