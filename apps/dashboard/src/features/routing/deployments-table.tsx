/**
 * The deployments table: provider, upstream model, kind, context window, price per million tokens
 * and the aliases that use each one, on the shared DataTable. As the box narrows the price goes
 * first, then the context window, kind and aliases; the upstream model, its provider and the row's
 * menu stay.
 */
import type { DeploymentView } from "@switchyard/core";
import { PencilIcon, Trash2Icon } from "lucide-react";
import type { ReactNode } from "react";
import { DataTable, type DataTableColumn } from "../../components/data-table/data-table.tsx";
import { RowActionsMenu } from "../../components/data-table/row-actions-menu.tsx";
import { TruncatedText } from "../../components/data-table/truncated-text.tsx";
import type { ListQuery } from "../../components/list-states.tsx";
import { kindLabels } from "./deployment-kinds.ts";
import { formatPrice } from "./money.ts";

export type DeploymentAction = "edit" | "delete";

function Muted({ children }: { children: ReactNode }) {
  return <span className="text-muted-foreground">{children}</span>;
}

/** "openai-prod / gpt-4o": how a deployment is named in menus, dialogs and other tables. */
export function deploymentLabel(d: { providerName: string; upstreamModel: string }): string {
  return `${d.providerName} / ${d.upstreamModel}`;
}

function columns(
  canWrite: boolean,
  onAction: (action: DeploymentAction, deployment: DeploymentView) => void,
): DataTableColumn<DeploymentView>[] {
  const all: DataTableColumn<DeploymentView>[] = [
    {
      id: "upstreamModel",
      header: "Upstream model",
      // The details toggle, model, provider and actions (priority 0) fit a phone's 340 px side by side:
      // the same model of two providers must be told apart there too.
      size: 110,
      meta: { priority: 0, grow: true },
      cell: ({ row: { original: d } }) => (
        <TruncatedText className="font-mono text-xs font-medium">{d.upstreamModel}</TruncatedText>
      ),
    },
    {
      id: "provider",
      header: "Provider",
      size: 100,
      meta: { priority: 0, grow: true },
      cell: ({ row: { original: d } }) => <TruncatedText>{d.providerName}</TruncatedText>,
    },
    {
      id: "kind",
      header: "Kind",
      size: 90,
      meta: { priority: 3 },
      cell: ({ row: { original: d } }) => kindLabels[d.kind],
    },
    {
      id: "contextWindow",
      header: "Context",
      size: 90,
      meta: { priority: 4, className: "tabular-nums" },
      cell: ({ row: { original: d } }) =>
        d.contextWindow === null ? <Muted>—</Muted> : d.contextWindow.toLocaleString("en-US"),
    },
    {
      id: "price",
      header: "Price per 1M in / out",
      size: 180,
      meta: { priority: 5, className: "tabular-nums" },
      cell: ({ row: { original: d } }) => (
        <TruncatedText>
          {formatPrice(d.pricing.inputMicrosPerMTok)} / {formatPrice(d.pricing.outputMicrosPerMTok)}
        </TruncatedText>
      ),
    },
    {
      id: "usedBy",
      header: "Used by",
      size: 120,
      meta: { priority: 2, grow: true },
      cell: ({ row: { original: d } }) =>
        d.usedBy.length === 0 ? (
          <Muted>No alias</Muted>
        ) : (
          <TruncatedText className="font-mono text-xs" full={d.usedBy.join(", ")}>
            {d.usedBy.join(", ")}
          </TruncatedText>
        ),
    },
  ];
  if (!canWrite) return all;
  return [
    ...all,
    {
      id: "actions",
      header: "Actions",
      size: 48,
      meta: { priority: 0, srOnlyHeader: true, className: "text-right" },
      cell: ({ row: { original: d } }) => (
        <RowActionsMenu
          label={`Actions for ${deploymentLabel(d)}`}
          actions={[
            { label: "Edit", icon: <PencilIcon aria-hidden />, onSelect: () => onAction("edit", d) },
            {
              label: "Delete",
              icon: <Trash2Icon aria-hidden />,
              onSelect: () => onAction("delete", d),
              destructive: true,
              separated: true,
            },
          ]}
        />
      ),
    },
  ];
}

export function DeploymentsTable({
  deployments,
  query,
  empty,
  canWrite,
  onAction,
}: {
  deployments: readonly DeploymentView[];
  query: ListQuery;
  empty: ReactNode;
  canWrite: boolean;
  onAction: (action: DeploymentAction, deployment: DeploymentView) => void;
}) {
  return (
    <DataTable
      label="Deployments"
      columns={columns(canWrite, onAction)}
      rows={deployments}
      getRowId={(d) => d.id}
      query={query}
      errorTitle="Could not load the deployments"
      empty={empty}
      skeletonRows={3}
      rowProps={(d) => ({ "data-deployment-id": d.id })}
      detailsLabel={deploymentLabel}
    />
  );
}
