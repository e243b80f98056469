/** The keys table: one row per key with its live secrets, owner, limits, dates and status. */
import type { KeyView } from "@switchyard/core";
import { BanIcon, EllipsisIcon, PencilIcon, RotateCwIcon } from "lucide-react";
import type { ReactNode } from "react";
import { Badge } from "../../components/ui/badge.tsx";
import { Button } from "../../components/ui/button.tsx";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "../../components/ui/dropdown-menu.tsx";
import { Skeleton } from "../../components/ui/skeleton.tsx";
import { Table, TableBody, TableCell, TableRow } from "../../components/ui/table.tsx";
import { ColumnsHeader, TableSkeleton } from "../../components/ui/table-scaffold.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { cn } from "../../lib/utils.ts";
import { type KeyStatus, keyStatus, liveSecrets } from "./key-status.ts";

const columns = [
  "Name",
  "Secret",
  "Owner",
  "Models",
  "Limits",
  "Tags",
  "Created",
  "Last used",
  "Expires",
  "Status",
] as const;

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

function When({ iso, empty }: { iso: string | null; empty: string }) {
  if (!iso) return <Muted>{empty}</Muted>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

function Limits({ rpm, tpm }: { rpm: number | null; tpm: number | null }) {
  const n = (v: number | null) => (v === null ? "∞" : v.toLocaleString());
  return (
    <span className="grid tabular-nums" title="Requests and tokens per minute; ∞ is no limit">
      <span>{n(rpm)} rpm</span>
      <span>{n(tpm)} tpm</span>
    </span>
  );
}

function Models({ models }: { models: readonly string[] }) {
  if (models.length === 0) return <Muted>All models</Muted>;
  const shown = models.slice(0, 2);
  return (
    <span className="font-mono text-xs" title={models.join(", ")}>
      {shown.join(", ")}
      {models.length > shown.length && <Muted> +{models.length - shown.length} more</Muted>}
    </span>
  );
}

export function KeysTable({
  keys,
  nowMs,
  onAction,
}: {
  keys: readonly KeyView[];
  nowMs: number;
  onAction: (action: KeyAction, key: KeyView) => void;
}) {
  return (
    <Table aria-label="API keys">
      <KeysHeader />
      <TableBody>
        {keys.map((key) => {
          const status = keyStatus(key, nowMs);
          const secrets = liveSecrets(key.secrets, nowMs);
          return (
            <TableRow key={key.id} data-key-id={key.id} className={cn(status === "revoked" && "opacity-70")}>
              <TableCell className="max-w-56 truncate font-medium" title={key.name}>
                {key.name}
              </TableCell>
              <TableCell>
                {secrets.length === 0 ? (
                  <Muted>—</Muted>
                ) : (
                  <ul className="grid gap-1">
                    {secrets.map((s) => (
                      <li key={s.prefix + s.createdAt} className="grid">
                        <code className="font-mono text-xs">{s.prefix}…</code>
                        {s.validUntil && (
                          <span className="max-w-44 text-xs whitespace-normal text-muted-foreground">
                            old secret valid until{" "}
                            <time dateTime={s.validUntil}>{formatDateTime(s.validUntil)}</time>
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </TableCell>
              <TableCell>
                {key.owner ? (
                  <span className="grid">
                    <span>{key.owner.name}</span>
                    <span className="text-xs text-muted-foreground capitalize">{key.owner.type}</span>
                  </span>
                ) : (
                  <Muted>None</Muted>
                )}
              </TableCell>
              <TableCell>
                <Models models={key.allowedModels} />
              </TableCell>
              <TableCell>
                <Limits rpm={key.rpm} tpm={key.tpm} />
              </TableCell>
              <TableCell>
                {key.tags.length === 0 ? (
                  <Muted>—</Muted>
                ) : (
                  <span className="flex max-w-48 flex-wrap gap-1">
                    {key.tags.map((t) => (
                      <Badge key={t} variant="secondary">
                        {t}
                      </Badge>
                    ))}
                  </span>
                )}
              </TableCell>
              <TableCell>
                <When iso={key.createdAt} empty="—" />
              </TableCell>
              <TableCell>
                <When iso={key.lastUsedAt} empty="Never" />
              </TableCell>
              <TableCell>
                <When iso={key.expiresAt} empty="Never" />
              </TableCell>
              <TableCell>
                {/* Blocks, not a grid: a grid would let the badge (overflow hidden) shrink under its text. */}
                <div>
                  <Badge variant="outline" className={statusClass[status]}>
                    {status}
                  </Badge>
                </div>
                {key.rotation.nextAt && status !== "revoked" && (
                  <div
                    className="mt-0.5 text-xs text-muted-foreground"
                    title={formatDateTime(key.rotation.nextAt)}
                  >
                    rotates {formatRelative(key.rotation.nextAt)}
                  </div>
                )}
              </TableCell>
              <TableCell className="text-right">
                {status !== "revoked" && (
                  <DropdownMenu>
                    <DropdownMenuTrigger asChild>
                      <Button
                        variant="ghost"
                        size="icon"
                        className="size-8"
                        aria-label={`Actions for ${key.name}`}
                      >
                        <EllipsisIcon aria-hidden />
                      </Button>
                    </DropdownMenuTrigger>
                    <DropdownMenuContent align="end">
                      <DropdownMenuItem onSelect={() => onAction("edit", key)}>
                        <PencilIcon aria-hidden />
                        Edit
                      </DropdownMenuItem>
                      <DropdownMenuItem onSelect={() => onAction("rotate", key)}>
                        <RotateCwIcon aria-hidden />
                        Rotate secret
                      </DropdownMenuItem>
                      <DropdownMenuSeparator />
                      <DropdownMenuItem variant="destructive" onSelect={() => onAction("revoke", key)}>
                        <BanIcon aria-hidden />
                        Revoke
                      </DropdownMenuItem>
                    </DropdownMenuContent>
                  </DropdownMenu>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function KeysHeader() {
  return <ColumnsHeader columns={columns} actionsClassName="w-10" />;
}

export function KeysTableSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <TableSkeleton
      label="API keys"
      header={<KeysHeader />}
      columns={columns}
      rows={rows}
      cell={<Skeleton className="h-4 w-20" />}
    />
  );
}
