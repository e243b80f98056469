/**
 * The alias form's fields: name, kind (fixed once created), strategy, and the ordered list of
 * target deployments: add from the deployments of the alias's kind, move up and down, remove, and
 * for a weighted alias each target's weight with its share of the traffic.
 */
import type { DeploymentView, ModelKind, RoutingStrategy } from "@switchyard/core";
import { ArrowDownIcon, ArrowUpIcon, XIcon } from "lucide-react";
import { useState } from "react";
import { useFieldArray, useFormContext, useWatch } from "react-hook-form";
import { Field, TextField, useFieldError } from "../../components/form/fields.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Label } from "../../components/ui/label.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import type { AliasFormValues } from "./alias-forms.ts";
import { strategyDescriptions, strategyLabels } from "./alias-forms.ts";
import { kindLabels } from "./deployment-kinds.ts";
import { deploymentLabel } from "./deployments-table.tsx";
import { formatShare, targetShares } from "./target-shares.ts";

function TargetError({ index }: { index: number }) {
  const deploymentError = useFieldError(`targets.${index}.deploymentId`);
  const targetError = useFieldError(`targets.${index}`);
  const error = deploymentError ?? targetError;
  return error ? <p className="text-sm text-destructive">{error}</p> : null;
}

function TargetsField({
  idPrefix,
  deployments,
}: {
  idPrefix: string;
  deployments: readonly DeploymentView[];
}) {
  const { control } = useFormContext<AliasFormValues>();
  const { fields, append, move, remove } = useFieldArray({ control, name: "targets" });
  const [kind, strategy, targets] = useWatch({ control, name: ["kind", "strategy", "targets"] });
  const error = useFieldError("targets");
  // The Select resets to its placeholder after each pick.
  const [picker, setPicker] = useState(0);
  const byId = new Map(deployments.map((d) => [d.id, d]));
  const chosen = new Set(targets.map((t) => t.deploymentId));
  const offered = deployments.filter((d) => d.kind === kind && !chosen.has(d.id));
  const shares = targetShares(targets.map((t) => Number(t.weight.trim() === "" ? Number.NaN : t.weight)));
  const weighted = strategy === "weighted";
  const errorId = `${idPrefix}-targets-error`;
  const addId = `${idPrefix}-add-target`;

  return (
    <fieldset className="grid gap-2">
      <legend className="mb-1 text-sm font-medium">Targets</legend>
      {weighted && (
        <p className="text-sm text-muted-foreground">
          Each target's share of the requests is its weight over the sum of the weights.
        </p>
      )}
      {fields.length > 0 && (
        <ol className="grid gap-2">
          {fields.map((f, i) => {
            const d = byId.get(targets[i]?.deploymentId ?? "");
            const label = d ? deploymentLabel(d) : "A deployment that no longer exists";
            return (
              <li key={f.id} className="grid gap-2 rounded-md border p-2" data-testid="alias-target">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="w-5 text-sm text-muted-foreground tabular-nums">{i + 1}.</span>
                  <span className="min-w-0 flex-1 font-mono text-xs break-all">{label}</span>
                  <div className="flex items-center gap-1">
                    <Button
                      type="button"
                      variant="ghost"
                      size="icon"
                      className="size-8"
                      aria-label={`Move ${label} up`}
                      disabled={i === 0}
                      onClick={() => move(i, i - 1)}
                    >
                      <ArrowUpIcon aria-hidden />
                    </Button>
                    <Button
                      type="button"
                      variant="ghost"
                      size="icon"
                      className="size-8"
                      aria-label={`Move ${label} down`}
                      disabled={i === fields.length - 1}
                      onClick={() => move(i, i + 1)}
                    >
                      <ArrowDownIcon aria-hidden />
                    </Button>
                    <Button
                      type="button"
                      variant="ghost"
                      size="icon"
                      className="size-8"
                      aria-label={`Remove ${label}`}
                      onClick={() => remove(i)}
                    >
                      <XIcon aria-hidden />
                    </Button>
                  </div>
                </div>
                {weighted && (
                  <div className="flex items-end gap-3 pl-7">
                    <TextField
                      name={`targets.${i}.weight`}
                      id={`${idPrefix}-weight-${i}`}
                      label={
                        <>
                          Weight<span className="sr-only"> of {label}</span>
                        </>
                      }
                      inputMode="numeric"
                      className="w-28"
                      autoComplete="off"
                    />
                    <span
                      className="pb-2 text-sm text-muted-foreground tabular-nums"
                      data-testid="target-share"
                    >
                      {formatShare(shares[i] ?? 0)}
                    </span>
                  </div>
                )}
                <TargetError index={i} />
              </li>
            );
          })}
        </ol>
      )}
      <div className="grid gap-2">
        <Label htmlFor={addId}>Add a deployment</Label>
        <Select
          key={picker}
          onValueChange={(id) => {
            append({ deploymentId: id, weight: "1" });
            setPicker((n) => n + 1);
          }}
          disabled={offered.length === 0}
        >
          <SelectTrigger
            id={addId}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
          >
            <SelectValue
              placeholder={
                offered.length === 0
                  ? `No other ${kindLabels[kind].toLowerCase()} deployment to add`
                  : "Choose a deployment"
              }
            />
          </SelectTrigger>
          <SelectContent>
            {offered.map((d) => (
              <SelectItem key={d.id} value={d.id}>
                {deploymentLabel(d)}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        {error && (
          <p id={errorId} className="text-sm text-destructive">
            {error}
          </p>
        )}
      </div>
    </fieldset>
  );
}

export function AliasFields({
  idPrefix,
  deployments,
  kindFixed,
}: {
  idPrefix: string;
  deployments: readonly DeploymentView[];
  /** Editing: the kind is the alias's and cannot change. */
  kindFixed?: ModelKind;
}) {
  const { setValue, getValues } = useFormContext<AliasFormValues>();
  const byId = new Map(deployments.map((d) => [d.id, d]));
  return (
    <>
      <TextField
        name="name"
        id={`${idPrefix}-name`}
        label="Name"
        description="The model name clients send, such as gpt-4o or support-bot."
        placeholder="support-bot"
        autoComplete="off"
      />
      {kindFixed ? (
        <p className="text-sm">
          <span className="font-medium">Kind:</span> {kindLabels[kindFixed]}
        </p>
      ) : (
        <Field name="kind" id={`${idPrefix}-kind`} label="Kind">
          {({ field, control }) => (
            <Select
              value={field.value}
              onValueChange={(value) => {
                field.onChange(value);
                // Targets of the other kind cannot serve this alias.
                setValue(
                  "targets",
                  getValues("targets").filter((t) => byId.get(t.deploymentId)?.kind === value),
                );
              }}
            >
              <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {Object.entries(kindLabels).map(([kind, label]) => (
                  <SelectItem key={kind} value={kind}>
                    {label}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        </Field>
      )}
      <Field name="strategy" id={`${idPrefix}-strategy`} label="Strategy" description={<StrategyHint />}>
        {({ field, control }) => (
          <Select value={field.value} onValueChange={field.onChange}>
            <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {(Object.keys(strategyLabels) as RoutingStrategy[]).map((s) => (
                <SelectItem key={s} value={s}>
                  {strategyLabels[s]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </Field>
      <TargetsField idPrefix={idPrefix} deployments={deployments} />
    </>
  );
}

function StrategyHint() {
  const strategy = useWatch<AliasFormValues, "strategy">({ name: "strategy" });
  return <>{strategyDescriptions[strategy]}</>;
}
