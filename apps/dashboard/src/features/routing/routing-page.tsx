/**
 * Routing (admins): the deployments (a provider's upstream models, with their limits, timeouts and
 * price) and the aliases (the names clients send) that map to them by order or by weight. Only a
 * role with routing:write sees the write actions; the server checks the scope again on every call.
 */
import type { AliasView, DeploymentView } from "@switchyard/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BoxesIcon, PlusIcon, WaypointsIcon } from "lucide-react";
import { type ReactNode, useState } from "react";
import { toast } from "sonner";
import { useFocusReturn } from "../../components/data-table/use-focus-return.ts";
import { type ListQuery, RefreshButton } from "../../components/list-states.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { Button } from "../../components/ui/button.tsx";
import { ConfirmDialog } from "../../components/ui/confirm-dialog.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useHasScope } from "../auth/session.tsx";
import { AddDeploymentsDialog } from "./add-deployments-dialog.tsx";
import { AliasesTable } from "./aliases-table.tsx";
import { CreateAliasDialog } from "./create-alias-dialog.tsx";
import { DeploymentsTable, deploymentLabel } from "./deployments-table.tsx";
import { EditAliasDialog } from "./edit-alias-dialog.tsx";
import { EditDeploymentDialog } from "./edit-deployment-dialog.tsx";

function Section({
  id,
  title,
  description,
  actions,
  children,
}: {
  id: string;
  title: string;
  description: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="grid grid-cols-1 gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="grid gap-1">
          <h2 id={id} className="text-lg font-semibold">
            {title}
          </h2>
          <p className="text-sm text-muted-foreground">{description}</p>
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function RoutingPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useHasScope("routing:write");
  const deploymentsList = useQuery(trpc.routing.deployments.list.queryOptions());
  const aliasesList = useQuery(trpc.routing.aliases.list.queryOptions());
  // Only to choose a provider when adding deployments.
  const providersList = useQuery({ ...trpc.providers.list.queryOptions(), enabled: canWrite });
  const deployments = deploymentsList.data?.items ?? [];
  const aliases = aliasesList.data?.items ?? [];
  const providers = providersList.data?.items ?? [];

  const [adding, setAdding] = useState(false);
  const [editingDeployment, setEditingDeployment] = useState<DeploymentView | null>(null);
  const [deletingDeployment, setDeletingDeployment] = useState<DeploymentView | null>(null);
  const [creatingAlias, setCreatingAlias] = useState(false);
  const [editingAlias, setEditingAlias] = useState<AliasView | null>(null);
  const [deletingAlias, setDeletingAlias] = useState<AliasView | null>(null);
  useFocusReturn(
    adding ||
      editingDeployment !== null ||
      deletingDeployment !== null ||
      creatingAlias ||
      editingAlias !== null ||
      deletingAlias !== null,
  );

  // The header's Refresh reloads both lists.
  const both: ListQuery = {
    isPending: deploymentsList.isPending || aliasesList.isPending,
    isError: deploymentsList.isError || aliasesList.isError,
    error: deploymentsList.error ?? aliasesList.error,
    isFetching: deploymentsList.isFetching || aliasesList.isFetching,
    isRefetching: deploymentsList.isRefetching || aliasesList.isRefetching,
    refetch: () => Promise.all([deploymentsList.refetch(), aliasesList.refetch()]),
  };

  const invalidate = () => queryClient.invalidateQueries(trpc.routing.pathFilter());
  // A refusal (the aliases or keys that still use it) is the server's message, said as it is.
  const removeDeployment = useMutation(
    trpc.routing.deployments.delete.mutationOptions({
      onSuccess: async () => {
        toast.success(
          `Deployment "${deletingDeployment ? deploymentLabel(deletingDeployment) : ""}" deleted`,
        );
        await invalidate();
      },
      onError: (error) => {
        toast.error("Could not delete the deployment", { description: describeError(error).message });
      },
    }),
  );
  const removeAlias = useMutation(
    trpc.routing.aliases.delete.mutationOptions({
      onSuccess: async () => {
        toast.success(`Alias "${deletingAlias?.name ?? ""}" deleted`);
        await invalidate();
      },
      onError: (error) => {
        toast.error("Could not delete the alias", { description: describeError(error).message });
      },
    }),
  );

  async function reloadDeployment(id: string): Promise<DeploymentView | undefined> {
    await invalidate();
    const fresh = await queryClient.fetchQuery(trpc.routing.deployments.list.queryOptions());
    return fresh.items.find((d) => d.id === id);
  }
  async function reloadAlias(id: string): Promise<AliasView | undefined> {
    await invalidate();
    const fresh = await queryClient.fetchQuery(trpc.routing.aliases.list.queryOptions());
    return fresh.items.find((a) => a.id === id);
  }

  const addDeploymentsButton = canWrite && (
    <Button onClick={() => setAdding(true)}>
      <PlusIcon aria-hidden />
      Add deployments
    </Button>
  );
  const createAliasButton = canWrite && (
    <Button onClick={() => setCreatingAlias(true)} disabled={deployments.length === 0}>
      <PlusIcon aria-hidden />
      Create alias
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Routing"
        description="Which upstream models serve the names clients send. Changes reach every proxy within a second."
        actions={<RefreshButton query={both} />}
      />
      <div className="grid grid-cols-1 gap-8">
        <Section
          id="routing-deployments"
          title="Deployments"
          description="A provider's upstream models, with their limits, timeouts and price per million tokens."
          actions={addDeploymentsButton}
        >
          <DeploymentsTable
            deployments={deployments}
            query={deploymentsList}
            canWrite={canWrite}
            onAction={(action, d) => (action === "edit" ? setEditingDeployment(d) : setDeletingDeployment(d))}
            empty={
              <EmptyState
                icon={<BoxesIcon />}
                title="No deployments yet"
                description="Add a provider's models: discover them from its model list, or type their names."
                action={addDeploymentsButton}
              />
            }
          />
        </Section>
        <Section
          id="routing-aliases"
          title="Aliases"
          description="The model names clients send; each maps to deployments in order or by weight. Keys allow aliases by name."
          actions={createAliasButton}
        >
          <AliasesTable
            aliases={aliases}
            query={aliasesList}
            canWrite={canWrite}
            onAction={(action, alias) =>
              action === "edit" ? setEditingAlias(alias) : setDeletingAlias(alias)
            }
            empty={
              <EmptyState
                icon={<WaypointsIcon />}
                title="No aliases yet"
                description={
                  deployments.length === 0
                    ? "Add deployments first, then create an alias that clients call by name."
                    : "Create an alias that clients call by name, served by one or more deployments."
                }
                action={createAliasButton}
              />
            }
          />
        </Section>
      </div>

      {canWrite && (
        <>
          <AddDeploymentsDialog open={adding} onOpenChange={setAdding} providers={providers} />
          <EditDeploymentDialog
            key={`edit-deployment-${editingDeployment?.id ?? ""}`}
            deployment={editingDeployment}
            onClose={() => setEditingDeployment(null)}
            reloadDeployment={reloadDeployment}
          />
          <ConfirmDialog
            open={deletingDeployment !== null}
            onOpenChange={(open) => !open && setDeletingDeployment(null)}
            title={`Delete "${deletingDeployment ? deploymentLabel(deletingDeployment) : ""}"?`}
            description="Aliases can no longer send requests to it. A deployment an alias uses cannot be deleted: remove it from those aliases first."
            confirmLabel="Delete deployment"
            onConfirm={() =>
              deletingDeployment ? removeDeployment.mutateAsync({ id: deletingDeployment.id }) : undefined
            }
          />
          <CreateAliasDialog open={creatingAlias} onOpenChange={setCreatingAlias} deployments={deployments} />
          <EditAliasDialog
            key={`edit-alias-${editingAlias?.id ?? ""}`}
            alias={editingAlias}
            deployments={deployments}
            onClose={() => setEditingAlias(null)}
            reloadAlias={reloadAlias}
          />
          <ConfirmDialog
            open={deletingAlias !== null}
            onOpenChange={(open) => !open && setDeletingAlias(null)}
            title={`Delete "${deletingAlias?.name ?? ""}"?`}
            description="Clients that send this name get model_not_found. An alias that keys allow cannot be deleted: take it out of those keys first."
            confirmLabel="Delete alias"
            onConfirm={() => (deletingAlias ? removeAlias.mutateAsync({ id: deletingAlias.id }) : undefined)}
          />
        </>
      )}
    </>
  );
}
