import { describe, expect, it } from "vitest";
import {
  emptyFilters,
  filtersFromParams,
  filtersToParams,
  hasActiveFilters,
  pageSize,
  toQueryInput,
} from "./filters.ts";

describe("audit filters", () => {
  it("round-trip through the address bar, leaving empty ones out", () => {
    const filters = { ...emptyFilters, action: "user.signed_in", actor: "a@example.com" };
    const params = filtersToParams(filters);
    expect(params.toString()).toBe("actor=a%40example.com&action=user.signed_in");
    expect(filtersFromParams(params)).toEqual(filters);
  });

  it("become the audit.list input, with the times as ISO strings", () => {
    const result = toQueryInput({ ...emptyFilters, target: " key ", from: "2025-01-02T03:04" });
    expect(result).toEqual({
      ok: true,
      input: {
        actor: undefined,
        action: undefined,
        target: "key",
        from: new Date("2025-01-02T03:04").toISOString(),
        to: undefined,
        hideSignIns: undefined,
        limit: pageSize,
      },
    });
  });

  it("carry 'hide sign-ins' through the address bar and into the query, and count it as a filter", () => {
    const filters = { ...emptyFilters, hideSignIns: true };
    const params = filtersToParams(filters);
    expect(params.toString()).toBe("hideSignIns=1");
    expect(filtersFromParams(params)).toEqual(filters);
    expect(filtersFromParams(new URLSearchParams("hideSignIns=0")).hideSignIns).toBe(false);
    expect(hasActiveFilters(filters)).toBe(true);
    expect(hasActiveFilters(emptyFilters)).toBe(false);
    const result = toQueryInput(filters);
    expect(result.ok && result.input.hideSignIns).toBe(true);
  });

  it("refuse an end before the start, on the `to` field", () => {
    const result = toQueryInput({ ...emptyFilters, from: "2025-01-02T00:00", to: "2025-01-01T00:00" });
    expect(result).toEqual({ ok: false, fieldErrors: { to: ["The end must not be before the start"] } });
  });

  it("apply core's limits", () => {
    const result = toQueryInput({ ...emptyFilters, target: "x".repeat(201) });
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.fieldErrors.target).toHaveLength(1);
  });
});
