/**
 * The providers table: kind, base URL, masked credentials with their roles, the models served, and
 * per-row actions, on the shared DataTable. "Test" makes a real call and shows its result in a line
 * under the row. As the box narrows the models go first, then the base URL and kind.
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
import { type ReactNode, useState } from "react";
import { DataTable, type DataTableColumn } from "../../components/data-table/data-table.tsx";
import { TruncatedText } from "../../components/data-table/truncated-text.tsx";
import type { ListQuery } from "../../components/list-states.tsx";
import { Badge } from "../../components/ui/badge.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Tooltip, TooltipContent, TooltipTrigger } from "../../components/ui/tooltip.tsx";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime } from "../../lib/format.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { kindLabel, maskedKey } from "./provider-kinds.ts";

export type ProviderAction = "edit" | "rotate" | "delete";

/** The last test of a provider: what it answered, or why it could not run. */
type TestOutcome = { ok: true; result: ProviderTestResult } | { ok: false; error: unknown };

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

/** The Test button; its own mutation, so tests of several providers run side by side. */
function TestButton({
  provider,
  hasResult,
  onOutcome,
}: {
  provider: ProviderView;
  hasResult: boolean;
  onOutcome: (outcome: TestOutcome) => void;
}) {
  const trpc = useTRPC();
  const test = useMutation(
    trpc.providers.test.mutationOptions({
      onSuccess: (result) => onOutcome({ ok: true, result }),
      onError: (error) => onOutcome({ ok: false, error }),
    }),
  );
  return (
    <Button
      variant="outline"
      size="sm"
      onClick={() => test.mutate({ id: provider.id })}
      disabled={test.isPending}
      aria-describedby={hasResult ? resultId(provider) : undefined}
      aria-label={`Test ${provider.name}`}
    >
      {test.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlugZapIcon aria-hidden />}
      Test
    </Button>
  );
}

const resultId = (provider: ProviderView) => `provider-${provider.id}-test-result`;

function TestResultLine({ provider, outcome }: { provider: ProviderView; outcome: TestOutcome }) {
  const ok = outcome.ok && outcome.result.ok;
  return (
    <p
      id={resultId(provider)}
      role="status"
      data-testid="provider-test-result"
      className={
        ok
          ? "flex items-center gap-2 text-sm text-emerald-700 dark:text-emerald-400"
          : "flex items-center gap-2 text-sm text-destructive"
      }
    >
      {ok ? (
        <CircleCheckIcon className="size-4 shrink-0" aria-hidden />
      ) : (
        <CircleXIcon className="size-4 shrink-0" aria-hidden />
      )}
      <span className="min-w-0 break-words">
        {outcome.ok
          ? `${outcome.result.ok ? "OK" : "Failed"}${outcome.result.status !== null ? ` (${outcome.result.status})` : ""} in ${outcome.result.latencyMs} ms: ${outcome.result.message}`
          : `Could not run the test: ${describeError(outcome.error).message}`}
      </span>
    </p>
  );
}

function columns(
  outcomes: Readonly<Record<string, TestOutcome>>,
  setOutcome: (id: string, outcome: TestOutcome) => void,
  onAction: (action: ProviderAction, provider: ProviderView) => void,
): DataTableColumn<ProviderView>[] {
  return [
    {
      id: "name",
      header: "Name",
      // Name and the actions (priority 0) fit a phone's 340 px side by side.
      size: 140,
      meta: { priority: 0, grow: true },
      cell: ({ row: { original: p } }) => <TruncatedText className="font-medium">{p.name}</TruncatedText>,
    },
    {
      id: "kind",
      header: "Kind",
      size: 170,
      meta: { priority: 3 },
      cell: ({ row: { original: p } }) => (
        <div className="flex flex-wrap items-center gap-1.5">
          <TruncatedText>{kindLabel(p.kind)}</TruncatedText>
          {p.inCluster && (
            <Badge variant="outline" title="Runs on the gateway's own network">
              in-cluster
            </Badge>
          )}
        </div>
      ),
    },
    {
      id: "baseUrl",
      header: "Base URL",
      size: 180,
      meta: { priority: 2, grow: true },
      cell: ({ row: { original: p } }) => (
        <TruncatedText className="font-mono text-xs">{p.baseUrl}</TruncatedText>
      ),
    },
    {
      id: "credential",
      header: "Credential",
      size: 170,
      meta: { priority: 1 },
      cell: ({ row: { original: p } }) =>
        p.credentials.length === 0 ? (
          <span className="text-muted-foreground">No API key</span>
        ) : (
          <ul className="grid gap-1">
            {p.credentials.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
                <code className="font-mono text-xs" data-testid="credential-mask">
                  {maskedKey(c.last4)}
                </code>
                <Badge variant={c.role === "primary" ? "secondary" : "outline"}>{c.role}</Badge>
                {c.role === "fallback" && c.overlapUntil && (
                  <span className="text-xs whitespace-normal text-muted-foreground">
                    fallback until <time dateTime={c.overlapUntil}>{formatDateTime(c.overlapUntil)}</time>
                  </span>
                )}
              </li>
            ))}
          </ul>
        ),
    },
    {
      id: "models",
      header: "Models",
      size: 140,
      meta: { priority: 4 },
      cell: ({ row: { original: p } }) =>
        p.models.length === 0 ? (
          <span className="text-muted-foreground">None</span>
        ) : (
          <TruncatedText className="font-mono text-xs" full={p.models.join(", ")}>
            {p.models.join(", ")}
          </TruncatedText>
        ),
    },
    {
      id: "actions",
      header: "Actions",
      size: 194,
      meta: { priority: 0, srOnlyHeader: true },
      cell: ({ row: { original: p } }) => {
        const inUse = p.models.length > 0;
        return (
          <div className="flex items-center justify-end gap-1">
            <TestButton
              provider={p}
              hasResult={outcomes[p.id] !== undefined}
              onOutcome={(outcome) => setOutcome(p.id, outcome)}
            />
            <IconAction label={`Edit ${p.name}`} onClick={() => onAction("edit", p)}>
              <PencilIcon aria-hidden />
            </IconAction>
            <IconAction label={`Rotate API key of ${p.name}`} onClick={() => onAction("rotate", p)}>
              <KeyRoundIcon aria-hidden />
            </IconAction>
            <IconAction
              label={`Delete ${p.name}`}
              onClick={() => onAction("delete", p)}
              disabledReason={
                inUse
                  ? `Used by ${p.models.join(", ")}: take its deployments out of those aliases on the Routing page first`
                  : undefined
              }
            >
              <Trash2Icon aria-hidden />
            </IconAction>
          </div>
        );
      },
    },
  ];
}

export function ProvidersTable({
  providers,
  query,
  empty,
  onAction,
}: {
  providers: readonly ProviderView[];
  query: ListQuery;
  empty: ReactNode;
  onAction: (action: ProviderAction, provider: ProviderView) => void;
}) {
  const [outcomes, setOutcomes] = useState<Readonly<Record<string, TestOutcome>>>({});
  const setOutcome = (id: string, outcome: TestOutcome) =>
    setOutcomes((prev) => ({ ...prev, [id]: outcome }));
  return (
    <DataTable
      label="Providers"
      columns={columns(outcomes, setOutcome, onAction)}
      rows={providers}
      getRowId={(p) => p.id}
      query={query}
      errorTitle="Could not load the providers"
      empty={empty}
      skeletonRows={3}
      rowProps={(p) => ({ "data-provider-id": p.id })}
      renderSubRow={(p) => {
        const outcome = outcomes[p.id];
        return outcome ? <TestResultLine provider={p} outcome={outcome} /> : null;
      }}
    />
  );
}
