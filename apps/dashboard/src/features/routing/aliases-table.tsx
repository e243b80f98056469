/**
 * The aliases table: the names clients send, each with its kind, strategy, how many deployments
 * serve it and the keys that allow it, on the shared DataTable. As the box narrows the kind goes
 * first, then the keys and strategy; the name, the targets and the row's menu stay.
 */
import type { AliasView } from "@switchyard/core";
import { PencilIcon, Trash2Icon } from "lucide-react";
import type { ReactNode } from "react";
import { DataTable, type DataTableColumn } from "../../components/data-table/data-table.tsx";
import { RowActionsMenu } from "../../components/data-table/row-actions-menu.tsx";
import { TruncatedText } from "../../components/data-table/truncated-text.tsx";
import type { ListQuery } from "../../components/list-states.tsx";
import { strategyLabels, targetsSummary } from "./alias-forms.ts";
import { kindLabels } from "./deployment-kinds.ts";
import { deploymentLabel } from "./deployments-table.tsx";

export type AliasAction = "edit" | "delete";

function columns(
  canWrite: boolean,
  onAction: (action: AliasAction, alias: AliasView) => void,
): DataTableColumn<AliasView>[] {
  const all: DataTableColumn<AliasView>[] = [
    {
      id: "name",
      header: "Name",
      size: 120,
      meta: { priority: 0, grow: true },
      cell: ({ row: { original: a } }) => (
        <TruncatedText className="font-mono text-xs font-medium">{a.name}</TruncatedText>
      ),
    },
    {
      id: "kind",
      header: "Kind",
      size: 90,
      meta: { priority: 3 },
      cell: ({ row: { original: a } }) => kindLabels[a.kind],
    },
    {
      id: "strategy",
      header: "Strategy",
      size: 130,
      meta: { priority: 1 },
      cell: ({ row: { original: a } }) => <TruncatedText>{strategyLabels[a.strategy]}</TruncatedText>,
    },
    {
      id: "targets",
      header: "Targets",
      size: 125,
      meta: { priority: 0 },
      cell: ({ row: { original: a } }) => {
        const ordered = [...a.targets].sort((x, y) => x.position - y.position);
        return (
          <TruncatedText full={ordered.map(deploymentLabel).join(", ")}>
            {targetsSummary(a.targets.length)}
          </TruncatedText>
        );
      },
    },
    {
      id: "keys",
      header: "Keys using it",
      size: 130,
      meta: { priority: 2, grow: true },
      cell: ({ row: { original: a } }) =>
        a.keys.length === 0 ? (
          <span className="text-muted-foreground">None</span>
        ) : (
          <TruncatedText full={a.keys.map((k) => k.name).join(", ")}>
            {a.keys.map((k) => k.name).join(", ")}
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
      cell: ({ row: { original: a } }) => (
        <RowActionsMenu
          label={`Actions for ${a.name}`}
          actions={[
            { label: "Edit", icon: <PencilIcon aria-hidden />, onSelect: () => onAction("edit", a) },
            {
              label: "Delete",
              icon: <Trash2Icon aria-hidden />,
              onSelect: () => onAction("delete", a),
              destructive: true,
              separated: true,
            },
          ]}
        />
      ),
    },
  ];
}

export function AliasesTable({
  aliases,
  query,
  empty,
  canWrite,
  onAction,
}: {
  aliases: readonly AliasView[];
  query: ListQuery;
  empty: ReactNode;
  canWrite: boolean;
  onAction: (action: AliasAction, alias: AliasView) => void;
}) {
  return (
    <DataTable
      label="Aliases"
      columns={columns(canWrite, onAction)}
      rows={aliases}
      getRowId={(a) => a.id}
      query={query}
      errorTitle="Could not load the aliases"
      empty={empty}
      skeletonRows={3}
      rowProps={(a) => ({ "data-alias-id": a.id })}
      detailsLabel={(a) => a.name}
    />
  );
}
