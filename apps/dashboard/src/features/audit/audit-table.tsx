/**
 * The audit log's table, on the shared DataTable: when, who, what (the action's label), the target by
 * name and id, and the IP; a row expands to what the entry recorded, with the columns hidden at this
 * width listed above the changes.
 */
import { auditActionLabel } from "@switchyard/core";
import { ChevronRightIcon } from "lucide-react";
import { type ReactNode, useState } from "react";
import { DataTable, type DataTableColumn, HiddenCells } from "../../components/data-table/data-table.tsx";
import { TruncatedText } from "../../components/data-table/truncated-text.tsx";
import type { ListQuery } from "../../components/list-states.tsx";
import { Badge } from "../../components/ui/badge.tsx";
import { Button } from "../../components/ui/button.tsx";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { cn } from "../../lib/utils.ts";
import { JsonDiff } from "./json-diff.tsx";

export type AuditEntry = RouterOutputs["audit"]["list"]["items"][number];

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

/** The date over the time: two short lines fit a phone's column better than one long one. */
function When({ iso }: { iso: string }) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <span>{iso}</span>;
  return (
    <time dateTime={iso} title={iso} className="grid tabular-nums">
      <span className="truncate">{dateFormat.format(date)}</span>
      <span className="truncate text-xs text-muted-foreground">{timeFormat.format(date)}</span>
    </time>
  );
}

function Target({ entry }: { entry: AuditEntry }) {
  const ref = entry.targetId ? `${entry.targetType} ${entry.targetId}` : entry.targetType;
  if (!entry.targetName) {
    return (
      <TruncatedText full={ref}>
        <span className="text-muted-foreground">{entry.targetType}</span>
        {entry.targetId && <span className="ml-1.5 font-mono text-xs">{entry.targetId}</span>}
      </TruncatedText>
    );
  }
  return (
    <span className="grid">
      <TruncatedText className="font-medium" full={entry.targetName}>
        {entry.targetName}
      </TruncatedText>
      <TruncatedText className="text-xs text-muted-foreground" full={ref}>
        {entry.targetType}
        {entry.targetId && <span className="ml-1.5 font-mono">{entry.targetId}</span>}
      </TruncatedText>
    </span>
  );
}

function columns(expanded: ReadonlySet<string>, toggle: (id: string) => void): DataTableColumn<AuditEntry>[] {
  return [
    {
      id: "changes",
      header: "Changes",
      size: 44,
      meta: { priority: 0, srOnlyHeader: true },
      cell: ({ row: { original: entry } }) => {
        const open = expanded.has(entry.id);
        return (
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            aria-expanded={open}
            aria-controls={open ? detailsId(entry) : undefined}
            aria-label={open ? "Hide changes" : "Show changes"}
            onClick={() => toggle(entry.id)}
          >
            <ChevronRightIcon className={cn("transition-transform", open && "rotate-90")} aria-hidden />
          </Button>
        );
      },
    },
    {
      id: "time",
      header: "Time",
      size: 124,
      meta: { priority: 0 },
      cell: ({ row: { original: entry } }) => <When iso={entry.at} />,
    },
    {
      id: "actor",
      header: "Actor",
      size: 190,
      meta: { priority: 2 },
      cell: ({ row: { original: entry } }) =>
        entry.actorEmail ? (
          <TruncatedText>{entry.actorEmail}</TruncatedText>
        ) : entry.actorToken ? (
          <TruncatedText>{`API token "${entry.actorToken.name ?? entry.actorToken.id}"`}</TruncatedText>
        ) : (
          <span className="text-muted-foreground italic">system</span>
        ),
    },
    {
      id: "action",
      header: "Action",
      size: 170,
      meta: { priority: 1 },
      // A long label ("Provider connection tested") wraps rather than losing its end.
      cell: ({ row: { original: entry } }) => (
        <Badge
          variant="secondary"
          className="max-w-full text-left whitespace-normal"
          title={entry.action}
          data-action={entry.action}
        >
          {auditActionLabel(entry.action)}
        </Badge>
      ),
    },
    {
      id: "target",
      header: "Target",
      size: 220,
      meta: { priority: 3, grow: true },
      cell: ({ row: { original: entry } }) => <Target entry={entry} />,
    },
    {
      id: "ip",
      header: "IP",
      size: 130,
      meta: { priority: 4, className: "font-mono text-xs" },
      cell: ({ row: { original: entry } }) =>
        entry.ip ? (
          <TruncatedText>{entry.ip}</TruncatedText>
        ) : (
          <span className="text-muted-foreground">—</span>
        ),
    },
  ];
}

const detailsId = (entry: AuditEntry) => `audit-entry-${entry.id}-changes`;

export function AuditTable({
  entries,
  query,
  empty,
}: {
  entries: readonly AuditEntry[];
  query: ListQuery;
  empty: ReactNode;
}) {
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
    <DataTable
      label="Audit log"
      columns={columns(expanded, toggle)}
      rows={entries}
      getRowId={(entry) => entry.id}
      query={query}
      errorTitle="Could not load the audit log"
      empty={empty}
      skeletonRows={8}
      rowProps={(entry) => ({ "data-state": expanded.has(entry.id) ? "selected" : undefined })}
      renderSubRow={(entry, hidden) =>
        expanded.has(entry.id) ? (
          <div id={detailsId(entry)} className="grid gap-3 py-2">
            <HiddenCells cells={hidden} />
            <JsonDiff before={entry.before} after={entry.after} />
          </div>
        ) : null
      }
    />
  );
}
