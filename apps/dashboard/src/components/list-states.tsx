/**
 * What a page that lists what a query loads shares: the header's Refresh button and the query shape
 * that it and the DataTable (which shows the loading, error and empty states) read.
 */
import { RefreshCwIcon } from "lucide-react";
import { Button } from "./ui/button.tsx";

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
