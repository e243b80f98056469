/**
 * The keys table: one row per key with its secrets, owner, limits, dates and status, on the shared
 * DataTable. As the box narrows, the dates go first, then tags and limits; the name, the status and
 * the row's menu stay. A revoked key shows when it was revoked, and nothing about grace or expiry.
 */
import type { KeyView } from "@switchyard/core";
import { BanIcon, PencilIcon, RotateCwIcon } from "lucide-react";
import type { ReactNode } from "react";
import { DataTable, type DataTableColumn } from "../../components/data-table/data-table.tsx";
import { RowActionsMenu } from "../../components/data-table/row-actions-menu.tsx";
import { TruncatedText } from "../../components/data-table/truncated-text.tsx";
import type { ListQuery } from "../../components/list-states.tsx";
import { Badge } from "../../components/ui/badge.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { cn } from "../../lib/utils.ts";
import { expiryLine, type KeyStatus, keyStatus, secretLines } from "./key-status.ts";

const statusClass: Record<KeyStatus, string> = {
  active: "border-emerald-600/30 bg-emerald-500/10 text-emerald-700 dark:text-emerald-400",
  expiring: "border-amber-600/30 bg-amber-500/10 text-amber-700 dark:text-amber-400",
  expired: "border-destructive/30 bg-destructive/10 text-destructive",
  revoked: "border-destructive/30 bg-destructive/10 text-destructive",
  "rotation pending": "border-sky-600/30 bg-sky-500/10 text-sky-700 dark:text-sky-400",
};

export type KeyAction = "edit" | "rotate" | "revoke";

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

function Limits({ rpm, tpm }: { rpm: number | null; tpm: number | null }) {
  const n = (v: number | null) => (v === null ? "∞" : v.toLocaleString());
  return (
    <span className="grid tabular-nums" title="Requests and tokens per minute; ∞ is no limit">
      <TruncatedText>{n(rpm)} rpm</TruncatedText>
      <TruncatedText>{n(tpm)} tpm</TruncatedText>
    </span>
  );
}

function Models({ models }: { models: readonly string[] }) {
  if (models.length === 0) return <Muted>All models</Muted>;
  return (
    <TruncatedText className="font-mono text-xs" full={models.join(", ")}>
      {models.join(", ")}
    </TruncatedText>
  );
}

function columns(
  nowMs: number,
  onAction: (action: KeyAction, key: KeyView) => void,
): DataTableColumn<KeyView>[] {
  return [
    {
      id: "name",
      header: "Name",
      // The details toggle, Name, Status and actions (priority 0) fit a phone's 340 px side by side.
      size: 120,
      meta: { priority: 0, grow: true },
      cell: ({ row: { original: key } }) => (
        <TruncatedText className={cn("font-medium", key.revokedAt && "text-muted-foreground")}>
          {key.name}
        </TruncatedText>
      ),
    },
    {
      id: "secret",
      header: "Secret",
      size: 130,
      meta: { priority: 1 },
      cell: ({ row: { original: key } }) => {
        const lines = secretLines(key, nowMs);
        if (lines.length === 0) return <Muted>—</Muted>;
        return (
          <ul className="grid gap-1">
            {lines.map((s) => (
              <li key={s.prefix + s.createdAt} className="grid">
                <TruncatedText className="font-mono text-xs">{s.prefix}…</TruncatedText>
                {s.graceUntil && (
                  <span className="text-xs whitespace-normal text-muted-foreground">
                    old secret valid until <time dateTime={s.graceUntil}>{formatDateTime(s.graceUntil)}</time>
                  </span>
                )}
              </li>
            ))}
          </ul>
        );
      },
    },
    {
      id: "owner",
      header: "Owner",
      size: 120,
      meta: { priority: 2 },
      cell: ({ row: { original: key } }) =>
        key.owner ? (
          <span className="grid">
            <TruncatedText>{key.owner.name}</TruncatedText>
            <span className="text-xs text-muted-foreground capitalize">{key.owner.type}</span>
          </span>
        ) : (
          <Muted>None</Muted>
        ),
    },
    {
      id: "models",
      header: "Models",
      size: 120,
      meta: { priority: 3 },
      cell: ({ row: { original: key } }) => <Models models={key.allowedModels} />,
    },
    {
      id: "limits",
      header: "Limits",
      size: 110,
      meta: { priority: 4 },
      cell: ({ row: { original: key } }) => <Limits rpm={key.rpm} tpm={key.tpm} />,
    },
    {
      id: "tags",
      header: "Tags",
      size: 120,
      meta: { priority: 4 },
      cell: ({ row: { original: key } }) =>
        key.tags.length === 0 ? (
          <Muted>—</Muted>
        ) : (
          <span className="flex flex-wrap gap-1">
            {key.tags.map((t) => (
              <Badge key={t} variant="secondary" className="max-w-full" title={t}>
                <span className="truncate">{t}</span>
              </Badge>
            ))}
          </span>
        ),
    },
    {
      id: "created",
      header: "Created",
      size: 96,
      meta: { priority: 6 },
      cell: ({ row: { original: key } }) => <When iso={key.createdAt} empty="—" nowMs={nowMs} />,
    },
    {
      id: "lastUsed",
      header: "Last used",
      size: 96,
      meta: { priority: 5 },
      cell: ({ row: { original: key } }) => <When iso={key.lastUsedAt} empty="Never" nowMs={nowMs} />,
    },
    {
      id: "expires",
      header: "Expires",
      size: 100,
      meta: { priority: 3 },
      cell: ({ row: { original: key } }) => {
        const expiry = expiryLine(key);
        if (expiry.kind === "revoked") return <Muted>—</Muted>;
        if (expiry.kind === "never") return <Muted>Never</Muted>;
        return <When iso={expiry.at} empty="Never" nowMs={nowMs} />;
      },
    },
    {
      id: "status",
      header: "Status",
      size: 126,
      meta: { priority: 0 },
      cell: ({ row: { original: key } }) => {
        const status = keyStatus(key, nowMs);
        return (
          <>
            {/* Blocks, not a grid: a grid would let the badge (overflow hidden) shrink under its text. */}
            <div>
              <Badge variant="outline" className={statusClass[status]}>
                {status}
              </Badge>
            </div>
            {key.revokedAt ? (
              <div
                className="mt-0.5 text-xs whitespace-normal text-muted-foreground"
                title={formatDateTime(key.revokedAt)}
              >
                revoked {formatRelative(key.revokedAt, nowMs)}
              </div>
            ) : (
              key.rotation.nextAt && (
                <div
                  className="mt-0.5 text-xs whitespace-normal text-muted-foreground"
                  title={formatDateTime(key.rotation.nextAt)}
                >
                  rotates {formatRelative(key.rotation.nextAt, nowMs)}
                </div>
              )
            )}
          </>
        );
      },
    },
    {
      id: "actions",
      header: "Actions",
      size: 48,
      meta: { priority: 0, srOnlyHeader: true, className: "text-right" },
      cell: ({ row: { original: key } }) =>
        key.revokedAt === null && (
          <RowActionsMenu
            label={`Actions for ${key.name}`}
            actions={[
              { label: "Edit", icon: <PencilIcon aria-hidden />, onSelect: () => onAction("edit", key) },
              {
                label: "Rotate secret",
                icon: <RotateCwIcon aria-hidden />,
                onSelect: () => onAction("rotate", key),
              },
              {
                label: "Revoke",
                icon: <BanIcon aria-hidden />,
                destructive: true,
                separated: true,
                onSelect: () => onAction("revoke", key),
              },
            ]}
          />
        ),
    },
  ];
}

export function KeysTable({
  keys,
  query,
  empty,
  nowMs,
  onAction,
}: {
  keys: readonly KeyView[];
  query: ListQuery;
  empty: ReactNode;
  nowMs: number;
  onAction: (action: KeyAction, key: KeyView) => void;
}) {
  return (
    <DataTable
      label="API keys"
      columns={columns(nowMs, onAction)}
      rows={keys}
      getRowId={(key) => key.id}
      query={query}
      errorTitle="Could not load the keys"
      empty={empty}
      detailsLabel={(key) => key.name}
      rowProps={(key) => ({
        "data-key-id": key.id,
        "data-revoked": key.revokedAt === null ? undefined : "true",
      })}
    />
  );
}
