import { describe, expect, it } from "vitest";
import { diffValues, missing } from "./diff.ts";

describe("diffValues", () => {
  it("reports nested changes by dotted path", () => {
    const changes = diffValues(
      { name: "a", limits: { rpm: 10, models: ["x"] } },
      { name: "a", limits: { rpm: 20, models: ["x", "y"] } },
    );
    expect(changes).toEqual([
      { path: "name", before: "a", after: "a", kind: "same" },
      { path: "limits.rpm", before: 10, after: 20, kind: "changed" },
      { path: "limits.models.0", before: "x", after: "x", kind: "same" },
      { path: "limits.models.1", before: missing, after: "y", kind: "added" },
    ]);
  });

  it("treats a created entity as all additions and a deleted one as all removals", () => {
    expect(diffValues(null, { id: 1 })).toEqual([{ path: "id", before: missing, after: 1, kind: "added" }]);
    expect(diffValues({ id: 1 }, null)).toEqual([{ path: "id", before: 1, after: missing, kind: "removed" }]);
  });

  it("tells a field set to null apart from a missing field", () => {
    expect(diffValues({ note: "x" }, { note: null })).toEqual([
      { path: "note", before: "x", after: null, kind: "changed" },
    ]);
  });

  it("has nothing to show when neither side recorded data", () => {
    expect(diffValues(null, null)).toEqual([]);
    expect(diffValues(undefined, undefined)).toEqual([]);
  });
});
