/**
 * The providers table: kind, base URL, masked credentials with their roles, the models served, and
 * per-row actions. "Test" makes a real call and shows its result in a line under the row.
 */
import type { ProviderTestResult, ProviderView } from "@switchyard/core";
import { useMutation } from "@tanstack/react-query";
import {
  CircleCheckIcon,
  CircleXIcon,
  KeyRoundIcon,
  Loader2Icon,
  PencilIcon,
  PlugZapIcon,
  Trash2Icon,
} from "lucide-react";
import { Fragment, type ReactNode } from "react";
import { Badge } from "../../components/ui/badge.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Skeleton } from "../../components/ui/skeleton.tsx";
import { Table, TableBody, TableCell, TableRow } from "../../components/ui/table.tsx";
import { ColumnsHeader, TableSkeleton } from "../../components/ui/table-scaffold.tsx";
import { Tooltip, TooltipContent, TooltipTrigger } from "../../components/ui/tooltip.tsx";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime } from "../../lib/format.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { kindLabel, maskedKey } from "./provider-kinds.ts";

const columns = ["Name", "Kind", "Base URL", "Credential", "Models"] as const;

export type ProviderAction = "edit" | "rotate" | "delete";

export function ProvidersTable({
  providers,
  onAction,
}: {
  providers: readonly ProviderView[];
  onAction: (action: ProviderAction, provider: ProviderView) => void;
}) {
  return (
    <Table aria-label="Providers">
      <ProvidersHeader />
      <TableBody>
        {providers.map((p) => (
          <ProviderRow key={p.id} provider={p} onAction={onAction} />
        ))}
      </TableBody>
    </Table>
  );
}

function IconAction({
  label,
  onClick,
  disabledReason,
  children,
}: {
  label: string;
  onClick: () => void;
  /** When set, the action is disabled and the tooltip says why. */
  disabledReason?: string | undefined;
  children: ReactNode;
}) {
  const disabled = disabledReason !== undefined;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        {/* A disabled button gets no pointer or focus events; the span keeps the tooltip reachable. */}
        <span tabIndex={disabled ? 0 : undefined} className="inline-flex rounded-md">
          <Button
            variant="ghost"
            size="icon"
            className="size-8"
            aria-label={label}
            onClick={onClick}
            disabled={disabled}
          >
            {children}
          </Button>
        </span>
      </TooltipTrigger>
      <TooltipContent>{disabledReason ?? label}</TooltipContent>
    </Tooltip>
  );
}

function ProviderRow({
  provider,
  onAction,
}: {
  provider: ProviderView;
  onAction: (action: ProviderAction, provider: ProviderView) => void;
}) {
  const trpc = useTRPC();
  const test = useMutation(trpc.providers.test.mutationOptions());
  const result: ProviderTestResult | undefined = test.data;
  const resultId = `provider-${provider.id}-test-result`;
  const inUse = provider.models.length > 0;
  const showResult = test.isSuccess || test.isError;

  return (
    <Fragment>
      <TableRow data-provider-id={provider.id} className={showResult ? "border-b-0" : undefined}>
        <TableCell className="max-w-48 truncate font-medium" title={provider.name}>
          {provider.name}
        </TableCell>
        <TableCell>
          <div className="flex flex-wrap items-center gap-1.5">
            {kindLabel(provider.kind)}
            {provider.inCluster && (
              <Badge variant="outline" title="Runs on the gateway's own network">
                in-cluster
              </Badge>
            )}
          </div>
        </TableCell>
        <TableCell className="max-w-64 truncate font-mono text-xs" title={provider.baseUrl}>
          {provider.baseUrl}
        </TableCell>
        <TableCell>
          {provider.credentials.length === 0 ? (
            <span className="text-muted-foreground">No API key</span>
          ) : (
            <ul className="grid gap-1">
              {provider.credentials.map((c) => (
                <li key={c.id} className="flex flex-wrap items-center gap-2">
                  <code className="font-mono text-xs" data-testid="credential-mask">
                    {maskedKey(c.last4)}
                  </code>
                  <Badge variant={c.role === "primary" ? "secondary" : "outline"}>{c.role}</Badge>
                  {c.role === "fallback" && c.overlapUntil && (
                    <span className="text-xs text-muted-foreground">
                      fallback until <time dateTime={c.overlapUntil}>{formatDateTime(c.overlapUntil)}</time>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </TableCell>
        <TableCell>
          {provider.models.length === 0 ? (
            <span className="text-muted-foreground">None</span>
          ) : (
            <span className="font-mono text-xs" title={provider.models.join(", ")}>
              {provider.models.slice(0, 3).join(", ")}
              {provider.models.length > 3 && (
                <span className="text-muted-foreground"> +{provider.models.length - 3} more</span>
              )}
            </span>
          )}
        </TableCell>
        <TableCell>
          <div className="flex items-center justify-end gap-1">
            <Button
              variant="outline"
              size="sm"
              onClick={() => test.mutate({ id: provider.id })}
              disabled={test.isPending}
              aria-describedby={showResult ? resultId : undefined}
              aria-label={`Test ${provider.name}`}
            >
              {test.isPending ? (
                <Loader2Icon className="animate-spin" aria-hidden />
              ) : (
                <PlugZapIcon aria-hidden />
              )}
              Test
            </Button>
            <IconAction label={`Edit ${provider.name}`} onClick={() => onAction("edit", provider)}>
              <PencilIcon aria-hidden />
            </IconAction>
            <IconAction
              label={`Rotate API key of ${provider.name}`}
              onClick={() => onAction("rotate", provider)}
            >
              <KeyRoundIcon aria-hidden />
            </IconAction>
            <IconAction
              label={`Delete ${provider.name}`}
              onClick={() => onAction("delete", provider)}
              disabledReason={
                inUse
                  ? `Used by ${provider.models.join(", ")}: move or delete those models' deployments first`
                  : undefined
              }
            >
              <Trash2Icon aria-hidden />
            </IconAction>
          </div>
        </TableCell>
      </TableRow>
      {showResult && (
        <TableRow className="hover:bg-transparent">
          <TableCell colSpan={columns.length + 1} className="pt-0 whitespace-normal">
            <p
              id={resultId}
              role="status"
              data-testid="provider-test-result"
              className={
                result?.ok
                  ? "flex items-center gap-2 text-sm text-emerald-700 dark:text-emerald-400"
                  : "flex items-center gap-2 text-sm text-destructive"
              }
            >
              {result?.ok ? (
                <CircleCheckIcon className="size-4 shrink-0" aria-hidden />
              ) : (
                <CircleXIcon className="size-4 shrink-0" aria-hidden />
              )}
              {result
                ? `${result.ok ? "OK" : "Failed"}${result.status !== null ? ` (${result.status})` : ""} in ${result.latencyMs} ms: ${result.message}`
                : `Could not run the test: ${describeError(test.error).message}`}
            </p>
          </TableCell>
        </TableRow>
      )}
    </Fragment>
  );
}

function ProvidersHeader() {
  return <ColumnsHeader columns={columns} actionsClassName="text-right" />;
}

export function ProvidersTableSkeleton({ rows = 3 }: { rows?: number }) {
  return (
    <TableSkeleton
      label="Providers"
      header={<ProvidersHeader />}
      columns={columns}
      rows={rows}
      cell={<Skeleton className="h-4 w-24" />}
      actionsCell={<Skeleton className="ml-auto h-8 w-40" />}
    />
  );
}
