/**
 * The audit log (admins): every mutation with who, when, what and the before/after, newest first,
 * filtered through the address bar and paged with the server's keyset cursor ("Load more").
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { FilterXIcon, ScrollTextIcon, TriangleAlertIcon } from "lucide-react";
import { useMemo } from "react";
import { useSearchParams } from "react-router";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { RefreshButton } from "../../components/list-states.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";
import { PendingButton } from "../../components/ui/pending-button.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { AuditFilterForm } from "./audit-filter-form.tsx";
import { AuditTable } from "./audit-table.tsx";
import {
  type AuditFilters,
  emptyFilters,
  filtersFromParams,
  filtersToParams,
  hasActiveFilters,
  pageSize,
  toQueryInput,
} from "./filters.ts";

export function AuditPage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const applied = useMemo(() => filtersFromParams(new URLSearchParams(search)), [search]);
  const query = toQueryInput(applied);
  // Filters typed into the URL by hand may not parse; fall back to none rather than send a bad request.
  const input = query.ok ? query.input : { limit: pageSize };

  const log = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(input, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  );

  function apply(filters: AuditFilters) {
    setParams(filtersToParams(filters));
  }

  const entries = useMemo(() => log.data?.pages.flatMap((p) => p.items) ?? [], [log.data]);
  const filtered = hasActiveFilters(applied);

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through Switchyard: who made it, when, and what it changed."
        actions={<RefreshButton query={log} />}
      />
      <div className="grid grid-cols-1 gap-4">
        <AuditFilterForm applied={applied} onApply={apply} />
        {!query.ok && (
          <Alert>
            <TriangleAlertIcon aria-hidden />
            <AlertTitle>The filters in the address are not valid</AlertTitle>
            <AlertDescription>
              {Object.values(query.fieldErrors).flat().join(" ")} Showing the whole log instead.
            </AlertDescription>
          </Alert>
        )}
        <AuditTable
          entries={entries}
          query={log}
          empty={
            <EmptyState
              icon={<ScrollTextIcon />}
              title={filtered ? "No entries match these filters" : "The audit log is empty"}
              description={
                filtered
                  ? "Widen the time range or clear a filter."
                  : "Entries appear here as soon as someone signs in or changes something."
              }
              action={
                filtered && (
                  <Button variant="outline" onClick={() => apply(emptyFilters)}>
                    <FilterXIcon aria-hidden />
                    Clear filters
                  </Button>
                )
              }
            />
          }
        />
        {entries.length > 0 && (
          <>
            {log.isFetchNextPageError && (
              <ErrorAlert title="Could not load more entries">{describeError(log.error).message}</ErrorAlert>
            )}
            <div className="flex items-center justify-between gap-4 text-sm text-muted-foreground">
              <p aria-live="polite">
                Showing {entries.length} {entries.length === 1 ? "entry" : "entries"}
                {log.hasNextPage ? "" : " (end of the log)"}
              </p>
              {log.hasNextPage && (
                <PendingButton
                  variant="outline"
                  onClick={() => void log.fetchNextPage()}
                  pending={log.isFetchingNextPage}
                >
                  Load more
                </PendingButton>
              )}
            </div>
          </>
        )}
      </div>
    </>
  );
}
