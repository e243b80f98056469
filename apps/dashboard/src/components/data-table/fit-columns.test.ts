import { describe, expect, it } from "vitest";
import { columnsToHide, detailsToggleWidth, fitWithDetails, minTableWidth } from "./fit-columns.ts";

const columns = [
  { id: "name", minWidth: 160, priority: 0 },
  { id: "owner", minWidth: 120, priority: 2 },
  { id: "created", minWidth: 100, priority: 4 },
  { id: "tags", minWidth: 120, priority: 4 },
  { id: "limits", minWidth: 100, priority: 1 },
  { id: "status", minWidth: 110, priority: 0 },
  { id: "actions", minWidth: 48, priority: 0 },
];
const total = columns.reduce((s, c) => s + c.minWidth, 0);

describe("columnsToHide", () => {
  it("hides nothing when every column fits", () => {
    expect(columnsToHide(columns, total)).toEqual(new Set());
    expect(columnsToHide(columns, 5000)).toEqual(new Set());
  });

  it("hides the lowest priority first, the rightmost of equals first, and only as many as needed", () => {
    expect(columnsToHide(columns, total - 1)).toEqual(new Set(["tags"]));
    expect(columnsToHide(columns, total - 121)).toEqual(new Set(["tags", "created"]));
    expect(columnsToHide(columns, total - 221)).toEqual(new Set(["tags", "created", "owner"]));
  });

  it("never hides priority 0, even when those alone do not fit", () => {
    const hidden = columnsToHide(columns, 100);
    expect(hidden).toEqual(new Set(["tags", "created", "owner", "limits"]));
    expect(minTableWidth(columns, hidden)).toBe(160 + 110 + 48);
  });

  it("keeps the table at least as wide as the columns it shows", () => {
    expect(minTableWidth(columns, new Set())).toBe(total);
    expect(minTableWidth(columns, new Set(["tags"]))).toBe(total - 120);
  });
});

describe("fitWithDetails", () => {
  it("adds no toggle while every column fits", () => {
    expect(fitWithDetails(columns, total)).toEqual({ hidden: new Set(), details: false, minWidth: total });
  });

  it("makes room for the toggle once a column hides", () => {
    // Hiding tags alone would fit, but not with the toggle beside it: created goes too.
    const fit = fitWithDetails(columns, total - 120);
    expect(fit.details).toBe(true);
    expect(fit.hidden).toEqual(new Set(["tags", "created"]));
    expect(fit.minWidth).toBe(total - 220 + detailsToggleWidth);
  });
});
