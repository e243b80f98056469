/**
 * Providers (admins): the upstreams that serve models, with their masked credentials. Add, edit, test,
 * rotate a credential without downtime, and delete one no deployment uses. Its models are added as
 * deployments on the Routing page.
 */
import type { ProviderView } from "@switchyard/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PlusIcon, ServerIcon } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { toast } from "sonner";
import { useFocusReturn } from "../../components/data-table/use-focus-return.ts";
import { RefreshButton } from "../../components/list-states.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { Button } from "../../components/ui/button.tsx";
import { ConfirmDialog } from "../../components/ui/confirm-dialog.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { CreateProviderDialog } from "./create-provider-dialog.tsx";
import { EditProviderDialog } from "./edit-provider-dialog.tsx";
import { ProvidersTable } from "./providers-table.tsx";
import { RotateCredentialDialog } from "./rotate-credential-dialog.tsx";

export function ProvidersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.providers.list.queryOptions());
  const providers = list.data?.items ?? [];

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<ProviderView | null>(null);
  const [rotating, setRotating] = useState<ProviderView | null>(null);
  const [deleting, setDeleting] = useState<ProviderView | null>(null);
  useFocusReturn(creating || editing !== null || rotating !== null || deleting !== null);

  const remove = useMutation(
    trpc.providers.delete.mutationOptions({
      onSuccess: async () => {
        toast.success(`Provider "${deleting?.name ?? ""}" deleted`);
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
      onError: (error) => {
        toast.error("Could not delete the provider", { description: describeError(error).message });
      },
    }),
  );

  async function reloadProvider(id: string): Promise<ProviderView | undefined> {
    await queryClient.invalidateQueries(trpc.providers.pathFilter());
    const fresh = await queryClient.fetchQuery(trpc.providers.list.queryOptions());
    return fresh.items.find((p) => p.id === id);
  }

  const addButton = (
    <Button onClick={() => setCreating(true)}>
      <PlusIcon aria-hidden />
      Add provider
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Providers"
        description="Upstreams that serve models. API keys are stored encrypted and shown only by their last 4 characters."
        actions={
          <>
            <RefreshButton query={list} />
            {addButton}
          </>
        }
      />
      <ProvidersTable
        providers={providers}
        query={list}
        onAction={(action, provider) => {
          if (action === "edit") setEditing(provider);
          else if (action === "rotate") setRotating(provider);
          else setDeleting(provider);
        }}
        empty={
          <EmptyState
            icon={<ServerIcon />}
            title="No providers yet"
            description={
              <>
                Add an OpenAI-compatible server or Anthropic, then add its models as deployments on the{" "}
                <Link to="/routing" className="font-medium text-foreground underline underline-offset-4">
                  Routing page
                </Link>
                .
              </>
            }
            action={addButton}
          />
        }
      />

      <CreateProviderDialog open={creating} onOpenChange={setCreating} />
      <EditProviderDialog
        key={`edit-${editing?.id ?? ""}`}
        provider={editing}
        onClose={() => setEditing(null)}
        reloadProvider={reloadProvider}
      />
      <RotateCredentialDialog
        key={`rotate-${rotating?.id ?? ""}`}
        provider={rotating}
        onClose={() => setRotating(null)}
      />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete "${deleting?.name ?? ""}"?`}
        description="The provider and its stored API keys are deleted. This cannot be undone."
        confirmLabel="Delete provider"
        onConfirm={() => (deleting ? remove.mutateAsync({ id: deleting.id }) : undefined)}
      />
    </>
  );
}
