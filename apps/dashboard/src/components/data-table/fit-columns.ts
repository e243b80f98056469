/**
 * Which columns of a table fit in its box: every column asks for a minimum width, and while the sum
 * is wider than the box, the column of the lowest priority (the highest number) hides first.
 * Priority 0 never hides: a row's name, status and actions stay whatever the width.
 */

export type ColumnFit = {
  id: string;
  /** The narrowest the column may be, in CSS pixels. */
  minWidth: number;
  /** 0 always shows; 1 is hidden last, larger numbers earlier. */
  priority: number;
};

/** The ids of the columns to hide so that the rest fit in `boxWidth` (as far as priorities allow). */
export function columnsToHide(columns: readonly ColumnFit[], boxWidth: number): Set<string> {
  const hidden = new Set<string>();
  let total = columns.reduce((sum, c) => sum + c.minWidth, 0);
  // Lowest priority first; of two with the same priority the one further right goes first.
  const candidates = columns
    .map((column, index) => ({ column, index }))
    .filter(({ column }) => column.priority > 0)
    .sort((a, b) => b.column.priority - a.column.priority || b.index - a.index);
  for (const { column } of candidates) {
    if (total <= boxWidth) break;
    hidden.add(column.id);
    total -= column.minWidth;
  }
  return hidden;
}

/** The width of the toggle column that shows a row's hidden cells. */
export const detailsToggleWidth = 44;

/**
 * Like `columnsToHide`, for a table that lists a row's hidden cells in a detail it opens with a toggle:
 * the toggle takes a column of its own, but only once some column is hidden, so the desktop table
 * keeps its space and the narrow one makes room for it.
 */
export function fitWithDetails(
  columns: readonly ColumnFit[],
  boxWidth: number,
): { hidden: Set<string>; details: boolean; minWidth: number } {
  const hidden = columnsToHide(columns, boxWidth);
  if (hidden.size === 0) return { hidden, details: false, minWidth: minTableWidth(columns, hidden) };
  const withToggle = columnsToHide(columns, boxWidth - detailsToggleWidth);
  return {
    hidden: withToggle,
    details: true,
    minWidth: minTableWidth(columns, withToggle) + detailsToggleWidth,
  };
}

/** The minimum width of the columns that show: the table is never narrower, so nothing overlaps. */
export function minTableWidth(columns: readonly ColumnFit[], hidden: ReadonlySet<string>): number {
  return columns.filter((c) => !hidden.has(c.id)).reduce((sum, c) => sum + c.minWidth, 0);
}
