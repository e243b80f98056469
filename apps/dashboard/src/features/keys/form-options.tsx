/** The users, teams and models the key form offers; loaded when a key dialog opens. */
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function useKeyFormOptions(enabled: boolean) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.keys.formOptions.queryOptions(), enabled, staleTime: 30_000 });
}

export function FormOptionsError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <ErrorAlert title="Could not load the users, teams and models" onRetry={onRetry}>
      {describeError(error).message}
    </ErrorAlert>
  );
}
