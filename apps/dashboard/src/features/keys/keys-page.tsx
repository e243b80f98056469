/**
 * API keys (admins): every key with its live secrets, owner, limits and status; create, edit, rotate
 * and revoke. Secrets are shown once, right after create or rotate, in the secret dialog.
 */
import type { KeyView } from "@switchyard/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRoundIcon, PlusIcon, SearchIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { useFocusReturn } from "../../components/data-table/use-focus-return.ts";
import { RefreshButton } from "../../components/list-states.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { Button } from "../../components/ui/button.tsx";
import { ConfirmDialog } from "../../components/ui/confirm-dialog.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";
import { Input } from "../../components/ui/input.tsx";
import { Label } from "../../components/ui/label.tsx";
import { Switch } from "../../components/ui/switch.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { CreateKeyDialog } from "./create-key-dialog.tsx";
import { EditKeyDialog } from "./edit-key-dialog.tsx";
import { KeysTable } from "./keys-table.tsx";
import { RotateKeyDialog } from "./rotate-key-dialog.tsx";
import { type IssuedSecret, SecretDialog } from "./secret-dialog.tsx";

/** Typing in the search box waits this long before asking the server. */
const searchDelayMs = 250;

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/** The current time, refreshed every half minute so statuses ("expiring", grace ends) stay true. */
function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function KeysPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const [searchText, setSearchText] = useState("");
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const search = useDebounced(searchText.trim(), searchDelayMs);
  const input = { search: search || undefined, includeRevoked };

  const list = useQuery({ ...trpc.keys.list.queryOptions(input), placeholderData: keepPreviousData });
  const keys = list.data?.items ?? [];

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<KeyView | null>(null);
  const [rotating, setRotating] = useState<KeyView | null>(null);
  const [revoking, setRevoking] = useState<KeyView | null>(null);
  const [issued, setIssued] = useState<IssuedSecret | null>(null);
  useFocusReturn(creating || editing !== null || rotating !== null || revoking !== null || issued !== null);

  const revoke = useMutation(
    trpc.keys.revoke.mutationOptions({
      onSuccess: async () => {
        toast.success(`Key "${revoking?.name ?? ""}" revoked`, {
          description: "Every proxy refuses it within a second.",
        });
        await queryClient.invalidateQueries(trpc.keys.pathFilter());
      },
      onError: (error) => {
        toast.error("Could not revoke the key", { description: describeError(error).message });
      },
    }),
  );

  async function reloadKey(id: string): Promise<KeyView | undefined> {
    await queryClient.invalidateQueries(trpc.keys.pathFilter());
    const fresh = await queryClient.fetchQuery(trpc.keys.list.queryOptions({ includeRevoked: false }));
    return fresh.items.find((k) => k.id === id);
  }

  const filtered = search !== "";
  const createButton = (
    <Button onClick={() => setCreating(true)}>
      <PlusIcon aria-hidden />
      Create key
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Keys"
        description="API keys that applications send to the proxy. Changes reach every proxy within a second."
        actions={
          <>
            <RefreshButton query={list} />
            {createButton}
          </>
        }
      />
      {/* One minmax(0, 1fr) column: a wide table scrolls inside its own box instead of widening the page. */}
      <div className="grid grid-cols-1 gap-4">
        <div className="flex flex-wrap items-center gap-4">
          <div className="relative w-full max-w-sm">
            <SearchIcon
              className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
              aria-hidden
            />
            <Input
              type="search"
              aria-label="Search keys"
              placeholder="Search by name, tag, prefix or owner"
              className="pl-9"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
            />
          </div>
          <div className="flex items-center gap-2">
            <Switch id="keys-include-revoked" checked={includeRevoked} onCheckedChange={setIncludeRevoked} />
            <Label htmlFor="keys-include-revoked">Show revoked keys</Label>
          </div>
        </div>

        <KeysTable
          keys={keys}
          query={list}
          nowMs={now}
          onAction={(action, key) => {
            if (action === "edit") setEditing(key);
            else if (action === "rotate") setRotating(key);
            else setRevoking(key);
          }}
          empty={
            <EmptyState
              icon={<KeyRoundIcon />}
              title={filtered ? "No keys match this search" : "No API keys yet"}
              description={
                filtered
                  ? "Try another name, tag, prefix or owner."
                  : includeRevoked
                    ? "Create a key for a user or team; its secret is shown once."
                    : "Create a key for a user or team; its secret is shown once. Revoked keys are hidden."
              }
              action={
                filtered ? (
                  <Button variant="outline" onClick={() => setSearchText("")}>
                    Clear search
                  </Button>
                ) : (
                  createButton
                )
              }
            />
          }
        />
      </div>

      <CreateKeyDialog open={creating} onOpenChange={setCreating} onIssued={setIssued} />
      <EditKeyDialog
        key={`edit-${editing?.id ?? ""}`}
        keyView={editing}
        onClose={() => setEditing(null)}
        reloadKey={reloadKey}
      />
      <RotateKeyDialog
        key={`rotate-${rotating?.id ?? ""}`}
        keyView={rotating}
        onClose={() => setRotating(null)}
        onIssued={setIssued}
      />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke "${revoking?.name ?? ""}"?`}
        description="Every proxy refuses it within a second: applications using it get 401 key_revoked. A revoked key cannot be restored."
        confirmLabel="Revoke key"
        onConfirm={() => (revoking ? revoke.mutateAsync({ id: revoking.id }) : undefined)}
      />
      <SecretDialog issued={issued} onClose={() => setIssued(null)} />
    </>
  );
}
