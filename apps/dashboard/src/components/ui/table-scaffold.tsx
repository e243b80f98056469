/** The header and loading skeleton of a table with named columns and a trailing actions column. */
import type { ReactNode } from "react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "./table.tsx";

export function ColumnsHeader({
  columns,
  actionsClassName,
}: {
  columns: readonly string[];
  actionsClassName?: string;
}) {
  return (
    <TableHeader>
      <TableRow className="hover:bg-transparent">
        {columns.map((c) => (
          <TableHead key={c}>{c}</TableHead>
        ))}
        <TableHead className={actionsClassName}>
          <span className="sr-only">Actions</span>
        </TableHead>
      </TableRow>
    </TableHeader>
  );
}

/** The table while its rows load: the real header, then `rows` rows of placeholder cells. */
export function TableSkeleton({
  label,
  header,
  columns,
  rows,
  cell,
  actionsCell,
}: {
  label: string;
  header: ReactNode;
  columns: readonly string[];
  rows: number;
  /** The placeholder in each column's cell. */
  cell: ReactNode;
  /** The placeholder in the actions cell; empty when left out. */
  actionsCell?: ReactNode;
}) {
  return (
    <Table aria-label={label} aria-busy="true">
      {header}
      <TableBody>
        {Array.from({ length: rows }, (_, i) => (
          <TableRow key={i}>
            {columns.map((c) => (
              <TableCell key={c}>{cell}</TableCell>
            ))}
            <TableCell>{actionsCell}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
