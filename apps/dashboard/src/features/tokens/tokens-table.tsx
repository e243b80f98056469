/**
 * The tokens table on the shared DataTable: name, role, who created it, when, when it expires and was
 * last used, and its status. A revoked or expired token is greyed and says so; only an active one
 * has the Revoke action. The name, status and actions stay in view at any width.
 */
import { type TokenStatus, type TokenView, tokenStatus } from "@switchyard/core";
import { BanIcon } from "lucide-react";
import type { ReactNode } from "react";
import { DataTable, type DataTableColumn } from "../../components/data-table/data-table.tsx";
import { RowActionsMenu } from "../../components/data-table/row-actions-menu.tsx";
import { TruncatedText } from "../../components/data-table/truncated-text.tsx";
import type { ListQuery } from "../../components/list-states.tsx";
import { Badge } from "../../components/ui/badge.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { cn } from "../../lib/utils.ts";

const statusClass: Record<TokenStatus, string> = {
  active: "border-emerald-600/30 bg-emerald-500/10 text-emerald-700 dark:text-emerald-400",
  expired: "border-destructive/30 bg-destructive/10 text-destructive",
  revoked: "border-destructive/30 bg-destructive/10 text-destructive",
};

function Muted({ children }: { children: ReactNode }) {
  return <span className="text-muted-foreground">{children}</span>;
}

function When({ iso, empty, nowMs }: { iso: string | null; empty: string; nowMs: number }) {
  if (!iso) return <Muted>{empty}</Muted>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)} className="block truncate">
      {formatRelative(iso, nowMs)}
    </time>
  );
}

function columns(nowMs: number, onRevoke: (token: TokenView) => void): DataTableColumn<TokenView>[] {
  // The status is recomputed on the client clock, so a token that expires while the page is open says so.
  const status = (t: TokenView) => tokenStatus(t, new Date(nowMs));
  return [
    {
      id: "name",
      header: "Name",
      size: 170,
      meta: { priority: 0, grow: true },
      cell: ({ row: { original: t } }) => (
        <span className="grid">
          <TruncatedText className={cn("font-medium", status(t) !== "active" && "text-muted-foreground")}>
            {t.name}
          </TruncatedText>
          <code className="truncate font-mono text-xs text-muted-foreground">{t.prefix}…</code>
        </span>
      ),
    },
    {
      id: "role",
      header: "Role",
      size: 90,
      meta: { priority: 1 },
      cell: ({ row: { original: t } }) => (
        <Badge variant="secondary" className="capitalize">
          {t.role}
        </Badge>
      ),
    },
    {
      id: "createdBy",
      header: "Created by",
      size: 150,
      meta: { priority: 3 },
      cell: ({ row: { original: t } }) => (
        <TruncatedText full={t.createdBy.email}>{t.createdBy.name}</TruncatedText>
      ),
    },
    {
      id: "created",
      header: "Created",
      size: 100,
      meta: { priority: 5 },
      cell: ({ row: { original: t } }) => <When iso={t.createdAt} empty="—" nowMs={nowMs} />,
    },
    {
      id: "expires",
      header: "Expires",
      size: 100,
      meta: { priority: 2 },
      cell: ({ row: { original: t } }) =>
        t.revokedAt ? <Muted>—</Muted> : <When iso={t.expiresAt} empty="—" nowMs={nowMs} />,
    },
    {
      id: "lastUsed",
      header: "Last used",
      size: 100,
      meta: { priority: 4 },
      cell: ({ row: { original: t } }) => <When iso={t.lastUsedAt} empty="Never" nowMs={nowMs} />,
    },
    {
      id: "status",
      header: "Status",
      size: 120,
      meta: { priority: 0 },
      cell: ({ row: { original: t } }) => {
        const s = status(t);
        const when = s === "revoked" ? t.revokedAt : s === "expired" ? t.expiresAt : null;
        return (
          <>
            <div>
              <Badge variant="outline" className={statusClass[s]}>
                {s}
              </Badge>
            </div>
            {when && (
              <div className="mt-0.5 truncate text-xs text-muted-foreground" title={formatDateTime(when)}>
                {s} {formatRelative(when, nowMs)}
              </div>
            )}
          </>
        );
      },
    },
    {
      id: "actions",
      header: "Actions",
      size: 56,
      meta: { priority: 0, srOnlyHeader: true, className: "text-right" },
      cell: ({ row: { original: t } }) =>
        status(t) === "active" && (
          <RowActionsMenu
            label={`Actions for ${t.name}`}
            actions={[
              {
                label: "Revoke",
                icon: <BanIcon aria-hidden />,
                destructive: true,
                onSelect: () => onRevoke(t),
              },
            ]}
          />
        ),
    },
  ];
}

export function TokensTable({
  tokens,
  query,
  empty,
  nowMs,
  onRevoke,
}: {
  tokens: readonly TokenView[];
  query: ListQuery;
  empty: ReactNode;
  nowMs: number;
  onRevoke: (token: TokenView) => void;
}) {
  return (
    <DataTable
      label="API tokens"
      columns={columns(nowMs, onRevoke)}
      rows={tokens}
      getRowId={(t) => t.id}
      query={query}
      errorTitle="Could not load the tokens"
      empty={empty}
      rowProps={(t) => ({ "data-status": tokenStatus(t, new Date(nowMs)) })}
    />
  );
}
