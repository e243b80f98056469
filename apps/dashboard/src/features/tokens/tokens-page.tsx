/**
 * API tokens (admins): the tokens scripts and Terraform call the API with, each with a role and an
 * expiry; create (the secret is shown once) and revoke.
 */
import type { TokenView, TokenWithSecret } from "@switchyard/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeySquareIcon, PlusIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { RefreshButton } from "../../components/list-states.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { Button } from "../../components/ui/button.tsx";
import { ConfirmDialog } from "../../components/ui/confirm-dialog.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";
import { Label } from "../../components/ui/label.tsx";
import { Switch } from "../../components/ui/switch.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { CreateTokenDialog } from "./create-token-dialog.tsx";
import { TokenSecretDialog } from "./token-secret-dialog.tsx";
import { TokensTable } from "./tokens-table.tsx";

/** The current time, refreshed every half minute so "expired" and "in 3 days" stay true. */
function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function TokensPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const list = useQuery(trpc.tokens.list.queryOptions({ includeRevoked }));
  const tokens = list.data ?? [];

  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const [issued, setIssued] = useState<TokenWithSecret | null>(null);

  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSuccess: async (token) => {
        toast.success(`Token "${token.name}" revoked`, { description: "Its next call is refused." });
        await queryClient.invalidateQueries(trpc.tokens.pathFilter());
      },
      onError: (error) => {
        toast.error("Could not revoke the token", { description: describeError(error).message });
      },
    }),
  );

  const createButton = (
    <Button onClick={() => setCreating(true)}>
      <PlusIcon aria-hidden />
      Create token
    </Button>
  );

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens for scripts and Terraform: each calls the API with its own role until it expires or is revoked."
        actions={
          <>
            <RefreshButton query={list} />
            {createButton}
          </>
        }
      />
      <div className="grid grid-cols-1 gap-4">
        <div className="flex items-center gap-2">
          <Switch id="tokens-include-revoked" checked={includeRevoked} onCheckedChange={setIncludeRevoked} />
          <Label htmlFor="tokens-include-revoked">Show revoked tokens</Label>
        </div>
        <TokensTable
          tokens={tokens}
          query={list}
          // Never behind the list's own fetch: a token created a moment ago is not "in 2 seconds".
          nowMs={Math.max(now, list.dataUpdatedAt)}
          onRevoke={setRevoking}
          empty={
            <EmptyState
              icon={<KeySquareIcon />}
              title="No API tokens yet"
              description={
                includeRevoked
                  ? "Create a token for a script or Terraform; its secret is shown once."
                  : "Create a token for a script or Terraform; its secret is shown once. Revoked tokens are hidden."
              }
              action={createButton}
            />
          }
        />
      </div>

      <CreateTokenDialog open={creating} onOpenChange={setCreating} onIssued={setIssued} />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke "${revoking?.name ?? ""}"?`}
        description="Scripts using it are refused (401) from their next call. A revoked token cannot be restored."
        confirmLabel="Revoke token"
        onConfirm={() => (revoking ? revoke.mutateAsync({ id: revoking.id }) : undefined)}
      />
      <TokenSecretDialog issued={issued} onClose={() => setIssued(null)} />
    </>
  );
}
