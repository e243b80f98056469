/** The users, teams and models the key form offers; loaded when a key dialog opens. */
import { useQuery } from "@tanstack/react-query";
import { TriangleAlertIcon } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function useKeyFormOptions(enabled: boolean) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.keys.formOptions.queryOptions(), enabled, staleTime: 30_000 });
}

export function FormOptionsError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <Alert variant="destructive">
      <TriangleAlertIcon aria-hidden />
      <AlertTitle>Could not load the users, teams and models</AlertTitle>
      <AlertDescription>
        <p>{describeError(error).message}</p>
        <Button variant="outline" size="sm" className="mt-2" onClick={onRetry}>
          Retry
        </Button>
      </AlertDescription>
    </Alert>
  );
}
