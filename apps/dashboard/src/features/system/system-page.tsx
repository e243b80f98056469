/**
 * System (admins): the control plane's background jobs, one row each, with how often each runs,
 * when it last ran, how long that took, its last error and when it runs next. Refreshed every 10 s.
 */
import { useQuery } from "@tanstack/react-query";
import { ActivityIcon } from "lucide-react";
import { DataTable, type DataTableColumn } from "../../components/data-table/data-table.tsx";
import { TruncatedText } from "../../components/data-table/truncated-text.tsx";
import { RefreshButton } from "../../components/list-states.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { Badge } from "../../components/ui/badge.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { formatDuration, formatInterval, type JobRow, jobStatus } from "./job-status.ts";

const toneVariant = {
  ok: "secondary",
  failing: "destructive",
  running: "default",
  off: "outline",
  new: "outline",
} as const;

function When({ at, nowMs }: { at: string | null; nowMs: number }) {
  if (!at) return <span className="text-muted-foreground">—</span>;
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatRelative(at, nowMs)}
    </time>
  );
}

function columns(nowMs: number): DataTableColumn<JobRow>[] {
  return [
    {
      id: "name",
      header: "Job",
      size: 160,
      meta: { priority: 0, grow: true },
      cell: ({ row: { original: job } }) => (
        <div className="grid gap-0.5">
          <TruncatedText className="font-mono text-sm font-medium">{job.name}</TruncatedText>
          <TruncatedText className="text-xs text-muted-foreground">{job.description}</TruncatedText>
        </div>
      ),
    },
    {
      id: "status",
      header: "Status",
      size: 120,
      meta: { priority: 0 },
      cell: ({ row: { original: job } }) => {
        const status = jobStatus(job);
        return <Badge variant={toneVariant[status.tone]}>{status.label}</Badge>;
      },
    },
    {
      id: "interval",
      header: "Runs",
      size: 110,
      meta: { priority: 3 },
      cell: ({ row: { original: job } }) => formatInterval(job.intervalSeconds),
    },
    {
      id: "lastRun",
      header: "Last run",
      size: 120,
      meta: { priority: 1 },
      cell: ({ row: { original: job } }) => <When at={job.lastStartedAt} nowMs={nowMs} />,
    },
    {
      id: "duration",
      header: "Took",
      size: 90,
      meta: { priority: 4 },
      cell: ({ row: { original: job } }) => formatDuration(job.lastDurationMs),
    },
    {
      id: "nextRun",
      header: "Next run",
      size: 120,
      meta: { priority: 2 },
      cell: ({ row: { original: job } }) =>
        job.enabled ? (
          <When at={job.nextRunAt} nowMs={nowMs} />
        ) : (
          <span className="text-muted-foreground">off</span>
        ),
    },
    {
      id: "lastError",
      header: "Last error",
      size: 180,
      meta: { priority: 1 },
      cell: ({ row: { original: job } }) =>
        job.lastError ? (
          <TruncatedText className="text-destructive">{job.lastError}</TruncatedText>
        ) : (
          <span className="text-muted-foreground">—</span>
        ),
    },
  ];
}

export function SystemPage() {
  const trpc = useTRPC();
  const jobs = useQuery({ ...trpc.jobs.list.queryOptions(), refetchInterval: 10_000 });
  const nowMs = jobs.dataUpdatedAt || Date.now();
  return (
    <>
      <PageHeader
        title="System"
        description="Background jobs of the control plane: one replica runs each at a time, and a failing job retries less and less often."
        actions={<RefreshButton query={jobs} />}
      />
      <DataTable
        label="Background jobs"
        columns={columns(nowMs)}
        rows={jobs.data?.items ?? []}
        getRowId={(job) => job.name}
        query={jobs}
        errorTitle="Could not load the background jobs"
        empty={
          <EmptyState
            icon={<ActivityIcon />}
            title="No background jobs have started yet"
            description="They appear here once the control plane has started its scheduler."
          />
        }
        rowProps={(job) => ({ "data-job": job.name })}
      />
    </>
  );
}
