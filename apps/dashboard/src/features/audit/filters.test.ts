import { describe, expect, it } from "vitest";
import { emptyFilters, filtersFromParams, filtersToParams, pageSize, toQueryInput } from "./filters.ts";

describe("audit filters", () => {
  it("round-trip through the address bar, leaving empty ones out", () => {
    const filters = { ...emptyFilters, action: "auth.login", actor: "a@example.com" };
    const params = filtersToParams(filters);
    expect(params.toString()).toBe("actor=a%40example.com&action=auth.login");
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
        limit: pageSize,
      },
    });
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
