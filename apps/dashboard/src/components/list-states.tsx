/**
 * The scaffolding of a page that lists what a query loads: the header's Refresh button, and the body's
 * states (a skeleton while loading, an error with Retry when nothing could be shown, the empty state,
 * then the list itself).
 */
import { RefreshCwIcon } from "lucide-react";
import type { ReactNode } from "react";
import { describeError } from "../lib/errors.ts";
import { ErrorAlert } from "./error-alert.tsx";
import { Button } from "./ui/button.tsx";
import { Card } from "./ui/card.tsx";

/** What these pieces read of a TanStack query (plain or infinite). */
export type ListQuery = {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  isFetching: boolean;
  isRefetching: boolean;
  refetch: () => Promise<unknown>;
};

export function RefreshButton({ query }: { query: ListQuery }) {
  return (
    <Button variant="outline" onClick={() => void query.refetch()} disabled={query.isFetching}>
      <RefreshCwIcon className={query.isRefetching ? "animate-spin" : undefined} aria-hidden />
      Refresh
    </Button>
  );
}

export function ListStates({
  query,
  count,
  skeleton,
  errorTitle,
  empty,
  children,
}: {
  query: ListQuery;
  /** How many items there are to show (kept ones included while a refetch fails). */
  count: number;
  /** The table's loading skeleton; it is shown in a card. */
  skeleton: ReactNode;
  /** The alert's title when the list could not be loaded and there is nothing to show. */
  errorTitle: string;
  empty: ReactNode;
  /** The list itself. */
  children: ReactNode;
}) {
  if (query.isPending) return <Card className="px-2 py-2">{skeleton}</Card>;
  if (query.isError && count === 0) {
    return (
      <ErrorAlert title={errorTitle} onRetry={() => void query.refetch()}>
        {describeError(query.error).message}
      </ErrorAlert>
    );
  }
  if (count === 0) return empty;
  return children;
}
