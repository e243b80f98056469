/**
 * The dashboard's one table, on TanStack Table. Give it columns (`DataTableColumn`) and rows; it
 * shows the loading skeleton, the error with Retry, the empty state, or the rows, in its own box.
 *
 * Width: every column has a minimum width (`size`) and a priority (`meta.priority`). Columns of
 * lower priority hide first as the box gets narrower, so the name, status and actions (priority 0)
 * stay in view at any width; cells cut long text with a tooltip (`TruncatedText`). If even the
 * priority-0 columns do not fit, the table scrolls sideways inside its box, never the page.
 */
import {
  type ColumnDef,
  getCoreRowModel,
  type RowData,
  useReactTable,
  type VisibilityState,
} from "@tanstack/react-table";
import { ChevronRightIcon } from "lucide-react";
import { type ComponentProps, Fragment, type ReactNode, useMemo, useState } from "react";
import { describeError } from "../../lib/errors.ts";
import { cn } from "../../lib/utils.ts";
import { ErrorAlert } from "../error-alert.tsx";
import type { ListQuery } from "../list-states.tsx";
import { Button } from "../ui/button.tsx";
import { Skeleton } from "../ui/skeleton.tsx";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "../ui/table.tsx";
import {
  type ColumnFit,
  columnsToHide,
  detailsToggleWidth,
  fitWithDetails,
  minTableWidth,
} from "./fit-columns.ts";
import { useBoxWidth } from "./use-box-width.ts";

// TanStack declares ColumnMeta as an interface so that apps extend it; a type cannot be merged.
declare module "@tanstack/react-table" {
  interface ColumnMeta<TData extends RowData, TValue> {
    /** 0: always shown (name, status, actions); 1 hides last, larger numbers earlier. */
    priority: number;
    /** The column takes the width left over by the others (a name, a URL). */
    grow?: boolean;
    /** Classes for the column's cells (and its header): alignment, font. */
    className?: string;
    /** The header text is for screen readers only (an actions or toggle column). */
    srOnlyHeader?: boolean;
  }
}

/** A column: an `id`, a `header`, a `cell`, its minimum width as `size` and `meta.priority`. */
export type DataTableColumn<T> = ColumnDef<T> & {
  id: string;
  size: number;
  meta: NonNullable<ColumnDef<T>["meta"]>;
};

export type HiddenCell = { id: string; header: string; cell: ReactNode };

export type DataTableProps<T> = {
  /** The table's accessible name. */
  label: string;
  columns: readonly DataTableColumn<T>[];
  rows: readonly T[];
  getRowId: (row: T) => string;
  /** The query that loads the rows: its loading and error states are the table's. */
  query: ListQuery;
  errorTitle: string;
  /** Shown instead of the table when there are no rows. */
  empty: ReactNode;
  /** Attributes of a row's <tr> (a data attribute, a class for a revoked row). */
  rowProps?: (row: T) => ComponentProps<"tr"> & { [data: `data-${string}`]: string | undefined };
  /**
   * A full-width line under a row (a test result, an entry's changes), or null for none. `hidden`
   * holds the cells of the columns hidden at this width, for a detail that shows them.
   */
  renderSubRow?: (row: T, hidden: readonly HiddenCell[]) => ReactNode;
  /**
   * With a row's name: once columns hide, a toggle in front of each row opens a detail listing its
   * hidden cells, so a phone still reaches everything. (A table whose own detail lists them, as the
   * audit log's does, leaves this out.)
   */
  detailsLabel?: (row: T) => string;
  skeletonRows?: number;
};

export function DataTable<T>({
  label,
  columns,
  rows,
  getRowId,
  query,
  errorTitle,
  empty,
  rowProps,
  renderSubRow,
  detailsLabel,
  skeletonRows = 5,
}: DataTableProps<T>) {
  const { ref: box, width } = useBoxWidth();
  const fits: ColumnFit[] = useMemo(
    () => columns.map((c) => ({ id: c.id, minWidth: c.size, priority: c.meta.priority })),
    [columns],
  );
  // Before the box is measured (the first layout pass) the table shows only what never hides.
  const fit = useMemo(() => {
    if (detailsLabel) return fitWithDetails(fits, width ?? 0);
    const hidden = columnsToHide(fits, width ?? 0);
    return { hidden, details: false, minWidth: minTableWidth(fits, hidden) };
  }, [fits, width, detailsLabel]);
  const { hidden, details } = fit;
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  function toggle(id: string) {
    setOpened((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }
  const columnVisibility: VisibilityState = useMemo(
    () => Object.fromEntries(columns.map((c) => [c.id, !hidden.has(c.id)])),
    [columns, hidden],
  );

  const table = useReactTable<T>({
    data: rows as T[],
    columns: columns as ColumnDef<T>[],
    getRowId: (row) => getRowId(row),
    getCoreRowModel: getCoreRowModel(),
    state: { columnVisibility },
  });
  const visible = table.getVisibleLeafColumns();
  const span = visible.length + (details ? 1 : 0);

  const loading = query.isPending;
  if (!loading && query.isError && rows.length === 0) {
    return (
      <ErrorAlert title={errorTitle} onRetry={() => void query.refetch()}>
        {describeError(query.error).message}
      </ErrorAlert>
    );
  }
  if (!loading && rows.length === 0) return empty;

  return (
    <div
      ref={box}
      data-slot="data-table"
      aria-busy={query.isFetching || undefined}
      // A table wider than its box scrolls inside it (the Table's own container), not the page.
      className="min-w-0 rounded-xl border bg-card px-2 py-1 text-card-foreground shadow-xs"
    >
      <Table
        aria-label={label}
        aria-busy={loading || undefined}
        className="table-fixed"
        style={{ minWidth: fit.minWidth }}
      >
        <colgroup>
          {details && <col style={{ width: detailsToggleWidth }} />}
          {visible.map((column) => (
            <col
              key={column.id}
              style={column.columnDef.meta?.grow ? undefined : { width: column.getSize() }}
            />
          ))}
        </colgroup>
        <TableHeader>
          {table.getHeaderGroups().map((group) => (
            <TableRow key={group.id} className="hover:bg-transparent">
              {details && (
                <TableHead data-column="details">
                  <span className="sr-only">Details</span>
                </TableHead>
              )}
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const content = render(header.column.columnDef.header, header.getContext());
                return (
                  <TableHead
                    key={header.id}
                    data-column={header.column.id}
                    className={cn("truncate", meta?.className)}
                  >
                    {meta?.srOnlyHeader ? <span className="sr-only">{content}</span> : content}
                  </TableHead>
                );
              })}
            </TableRow>
          ))}
        </TableHeader>
        <TableBody>
          {loading
            ? Array.from({ length: skeletonRows }, (_, i) => (
                <TableRow key={i} className="hover:bg-transparent">
                  {details && <TableCell />}
                  {visible.map((column) => (
                    <TableCell key={column.id}>
                      {column.columnDef.meta?.srOnlyHeader ? null : <Skeleton className="h-4 w-3/4" />}
                    </TableCell>
                  ))}
                </TableRow>
              ))
            : table.getRowModel().rows.map((row) => {
                const open = details && opened.has(row.id);
                const detailsId = `${row.id}-details`;
                // Rendered only for a detail that may show them, not for every row of a wide table.
                const hiddenCells: HiddenCell[] =
                  open || renderSubRow
                    ? row
                        .getAllCells()
                        .filter((cell) => !cell.column.getIsVisible())
                        .map((cell) => ({
                          id: cell.column.id,
                          header:
                            typeof cell.column.columnDef.header === "string"
                              ? cell.column.columnDef.header
                              : cell.column.id,
                          cell: render(cell.column.columnDef.cell, cell.getContext()),
                        }))
                    : [];
                const own = renderSubRow?.(row.original, hiddenCells);
                const sub =
                  open || own ? (
                    <>
                      {open && (
                        <div id={detailsId} className="grid gap-2 py-1">
                          {/* The whole name: the cell may have cut it, and a phone has no hover. */}
                          <p className="font-medium break-all">{detailsLabel?.(row.original)}</p>
                          <HiddenCells cells={hiddenCells} />
                        </div>
                      )}
                      {own}
                    </>
                  ) : null;
                const props = rowProps?.(row.original) ?? {};
                return (
                  <Fragment key={row.id}>
                    <TableRow {...props} className={cn(sub && "border-b-0", props.className)}>
                      {details && detailsLabel && (
                        <TableCell data-column="details">
                          <Button
                            variant="ghost"
                            size="icon"
                            className="size-7"
                            aria-expanded={open}
                            aria-controls={open ? detailsId : undefined}
                            aria-label={`Details of ${detailsLabel(row.original)}`}
                            onClick={() => toggle(row.id)}
                          >
                            <ChevronRightIcon
                              className={cn("transition-transform", open && "rotate-90")}
                              aria-hidden
                            />
                          </Button>
                        </TableCell>
                      )}
                      {row.getVisibleCells().map((cell) => (
                        <TableCell
                          key={cell.id}
                          data-column={cell.column.id}
                          // Cells clip what does not fit; text inside cuts itself with an ellipsis.
                          className={cn("overflow-hidden", cell.column.columnDef.meta?.className)}
                        >
                          {render(cell.column.columnDef.cell, cell.getContext())}
                        </TableCell>
                      ))}
                    </TableRow>
                    {sub && (
                      <TableRow className="hover:bg-transparent">
                        <TableCell colSpan={span} className="pt-0 whitespace-normal">
                          {sub}
                        </TableCell>
                      </TableRow>
                    )}
                  </Fragment>
                );
              })}
        </TableBody>
      </Table>
    </div>
  );
}

/**
 * A header or cell as the column renders it. Called as a function, not mounted as a component the
 * way TanStack's flexRender does: columns are rebuilt on each render (they close over page state),
 * and a new component type each time would remount every cell, and lose the focus of its buttons.
 */
function render<C>(content: ReactNode | ((context: C) => ReactNode) | undefined, context: C): ReactNode {
  return typeof content === "function" ? content(context) : content;
}

/** The cells of hidden columns as a list of "header: value", for a row's detail line. */
export function HiddenCells({ cells }: { cells: readonly HiddenCell[] }) {
  if (cells.length === 0) return null;
  return (
    <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
      {cells.map((c) => (
        <Fragment key={c.id}>
          <dt className="text-muted-foreground">{c.header}</dt>
          <dd className="min-w-0">{c.cell}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
