import { ChevronRightIcon } from "lucide-react";
import { Fragment, useState } from "react";
import { Badge } from "../../components/ui/badge.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Skeleton } from "../../components/ui/skeleton.tsx";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "../../components/ui/table.tsx";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { cn } from "../../lib/utils.ts";
import { JsonDiff } from "./json-diff.tsx";

export type AuditEntry = RouterOutputs["audit"]["list"]["items"][number];

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

const columns = ["Time", "Actor", "Action", "Target", "IP"] as const;

function AuditHeader() {
  return (
    <TableHeader>
      <TableRow className="hover:bg-transparent">
        <TableHead className="w-10">
          <span className="sr-only">Changes</span>
        </TableHead>
        {columns.map((c) => (
          <TableHead key={c}>{c}</TableHead>
        ))}
      </TableRow>
    </TableHeader>
  );
}

export function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());

  function toggle(id: string) {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  return (
    <Table aria-label="Audit log">
      <AuditHeader />
      <TableBody>
        {entries.map((entry) => {
          const open = expanded.has(entry.id);
          const detailsId = `audit-entry-${entry.id}-changes`;
          return (
            <Fragment key={entry.id}>
              <TableRow data-state={open ? "selected" : undefined}>
                <TableCell>
                  <Button
                    variant="ghost"
                    size="icon"
                    className="size-7"
                    aria-expanded={open}
                    aria-controls={open ? detailsId : undefined}
                    aria-label={open ? "Hide changes" : "Show changes"}
                    onClick={() => toggle(entry.id)}
                  >
                    <ChevronRightIcon
                      className={cn("transition-transform", open && "rotate-90")}
                      aria-hidden
                    />
                  </Button>
                </TableCell>
                <TableCell className="tabular-nums">
                  <time dateTime={entry.at} title={entry.at}>
                    {formatTime(entry.at)}
                  </time>
                </TableCell>
                <TableCell>
                  {entry.actorEmail ?? <span className="text-muted-foreground italic">system</span>}
                </TableCell>
                <TableCell>
                  <Badge variant="secondary" className="font-mono">
                    {entry.action}
                  </Badge>
                </TableCell>
                <TableCell
                  className="max-w-72 truncate"
                  title={entry.targetId ? `${entry.targetType} ${entry.targetId}` : entry.targetType}
                >
                  <span className="text-muted-foreground">{entry.targetType}</span>
                  {entry.targetId && <span className="ml-1.5 font-mono text-xs">{entry.targetId}</span>}
                </TableCell>
                <TableCell className="font-mono text-xs">
                  {entry.ip ?? <span className="text-muted-foreground">—</span>}
                </TableCell>
              </TableRow>
              {open && (
                <TableRow id={detailsId} className="bg-muted/30 hover:bg-muted/30">
                  <TableCell />
                  <TableCell colSpan={columns.length} className="py-3 whitespace-normal">
                    <JsonDiff before={entry.before} after={entry.after} />
                  </TableCell>
                </TableRow>
              )}
            </Fragment>
          );
        })}
      </TableBody>
    </Table>
  );
}

export function AuditTableSkeleton({ rows = 8 }: { rows?: number }) {
  return (
    <Table aria-label="Audit log" aria-busy="true">
      <AuditHeader />
      <TableBody>
        {Array.from({ length: rows }, (_, i) => (
          <TableRow key={i}>
            <TableCell>
              <Skeleton className="size-7" />
            </TableCell>
            <TableCell>
              <Skeleton className="h-4 w-40" />
            </TableCell>
            <TableCell>
              <Skeleton className="h-4 w-36" />
            </TableCell>
            <TableCell>
              <Skeleton className="h-5 w-24" />
            </TableCell>
            <TableCell>
              <Skeleton className="h-4 w-32" />
            </TableCell>
            <TableCell>
              <Skeleton className="h-4 w-20" />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
