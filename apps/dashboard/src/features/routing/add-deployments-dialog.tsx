/**
 * Add deployments: choose a provider, then tick the models its model list names ("Discover
 * models", already added ones marked) or type an upstream model's name; every model chosen becomes
 * a deployment with the settings below. One opening creates each model at most once: each model
 * has its own idempotency key for the opening, so a retry after a partial failure sends only what
 * is left, and a repeat the server sees anyway is answered "Already created".
 */
import type { CreateDeploymentInput, DeploymentView, ProviderView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon, SearchIcon } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { useController, useWatch } from "react-hook-form";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { Field, TextField, useFieldError } from "../../components/form/fields.tsx";
import { isAlreadyCreated } from "../../components/form/server-errors.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { Badge } from "../../components/ui/badge.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Checkbox } from "../../components/ui/checkbox.tsx";
import { Label } from "../../components/ui/label.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { AddDeploymentsForm, emptyAddDeploymentsForm } from "./deployment-forms.ts";
import { DeploymentSettingsFields } from "./deployment-settings-fields.tsx";

type Failure = { upstreamModel: string; message: string };

/** Why a provider's model list could not be read, in words (the outcome classes of providers.test). */
function discoveryProblem(outcome: string): string {
  const words = outcome.replaceAll("_", " ");
  return `The provider did not list its models (${words}). Check it with Test on the Providers page, or type the model's name below.`;
}

/** The discovered models as ticks; models that already are deployments are marked and not offered. */
function DiscoveredModels({ models }: { models: readonly { upstreamModel: string; added: boolean }[] }) {
  const { field } = useController({ name: "models" });
  const error = useFieldError("models");
  const chosen = new Set<string>(field.value as string[]);
  if (models.length === 0) {
    return <p className="text-sm text-muted-foreground">The provider lists no models.</p>;
  }
  return (
    <fieldset className="grid gap-2" aria-invalid={error ? true : undefined}>
      <legend className="mb-1 text-sm font-medium">Models the provider lists</legend>
      <ul className="grid max-h-56 gap-2 overflow-y-auto rounded-md border p-3">
        {models.map((m, i) => {
          const id = `discovered-model-${i}`;
          return (
            <li key={m.upstreamModel} className="flex items-center gap-3">
              <Checkbox
                id={id}
                checked={m.added || chosen.has(m.upstreamModel)}
                disabled={m.added}
                onCheckedChange={(checked) => {
                  const next = new Set(chosen);
                  if (checked === true) next.add(m.upstreamModel);
                  else next.delete(m.upstreamModel);
                  field.onChange(models.map((x) => x.upstreamModel).filter((n) => next.has(n)));
                }}
              />
              <Label htmlFor={id} className="min-w-0 font-mono text-xs font-normal break-all">
                {m.upstreamModel}
              </Label>
              {m.added && <Badge variant="secondary">added</Badge>}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

export function AddDeploymentsDialog({
  open,
  onOpenChange,
  providers,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  providers: readonly ProviderView[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(AddDeploymentsForm, emptyAddDeploymentsForm);
  const providerId = useWatch({ control: form.control, name: "providerId" });
  // The provider the last discovery was for: its answer shows only while that provider is chosen.
  const [discoveredFor, setDiscoveredFor] = useState<string | null>(null);
  const [failures, setFailures] = useState<Failure[]>([]);
  const [pending, setPending] = useState(false);
  // One idempotency key per model and opening (see the header).
  const keys = useRef(new Map<string, string>());
  useEffect(() => {
    if (open) keys.current = new Map();
  }, [open]);

  // A real call to the provider (its model list), made on request.
  const discovery = useMutation(
    trpc.routing.deployments.discover.mutationOptions({
      onMutate: ({ providerId }) => setDiscoveredFor(providerId),
    }),
  );
  const create = useMutation(trpc.routing.deployments.create.mutationOptions());

  function keyFor(upstreamModel: string): string {
    let key = keys.current.get(upstreamModel);
    if (!key) {
      key = crypto.randomUUID();
      keys.current.set(upstreamModel, key);
    }
    return key;
  }

  async function onSubmit(inputs: CreateDeploymentInput[]) {
    if (pending) return;
    setPending(true);
    setFailures([]);
    const created: DeploymentView[] = [];
    const failed: Failure[] = [];
    const done = new Set<string>();
    try {
      // One at a time: the server's answer about one model (a duplicate) does not hide another's.
      for (const input of inputs) {
        try {
          created.push(await create.mutateAsync({ ...input, idempotencyKey: keyFor(input.upstreamModel) }));
          done.add(input.upstreamModel);
        } catch (error) {
          if (isAlreadyCreated(error)) {
            done.add(input.upstreamModel);
            continue;
          }
          const described = describeError(error);
          const messages = Object.values(described.fieldErrors).flat();
          failed.push({
            upstreamModel: input.upstreamModel,
            message: messages.length > 0 ? messages.join(" ") : described.message,
          });
        }
      }
    } finally {
      setPending(false);
    }
    await queryClient.invalidateQueries(trpc.routing.pathFilter());
    if (failed.length === 0) {
      toast.success(
        created.length === 1
          ? `Deployment "${created[0]!.upstreamModel}" added`
          : `${done.size} deployments added`,
      );
      changeOpen(false);
      return;
    }
    // What was added is done; what is left stays in the form to fix and send again.
    const { models, typedModel } = form.getValues();
    form.setValue(
      "models",
      models.filter((m) => !done.has(m)),
    );
    if (done.has(typedModel.trim())) form.setValue("typedModel", "");
    setFailures(failed);
  }

  function changeOpen(next: boolean) {
    if (!next) {
      form.reset(emptyAddDeploymentsForm);
      setDiscoveredFor(null);
      setFailures([]);
      create.reset();
      discovery.reset();
    }
    onOpenChange(next);
  }

  const discovered = discoveredFor !== null && discoveredFor === providerId ? discovery : undefined;

  return (
    <FormDialog
      open={open}
      onOpenChange={changeOpen}
      title="Add deployments"
      description="The models of a provider that aliases can send requests to. Every model you choose gets the settings below."
      formId="add-deployments-form"
      formLabel="Add deployments"
      form={form}
      onSubmit={onSubmit}
      pending={pending}
      submitLabel="Add deployments"
      contentClassName="max-h-[90svh] overflow-y-auto sm:max-w-xl"
    >
      {failures.length > 0 && (
        <ErrorAlert title="Some models could not be added">
          <ul className="grid gap-1">
            {failures.map((f) => (
              <li key={f.upstreamModel}>
                <span className="font-mono text-xs">{f.upstreamModel}</span>: {f.message}
              </li>
            ))}
          </ul>
        </ErrorAlert>
      )}
      <div className="grid gap-2">
        <Field name="providerId" id="deployment-provider" label="Provider">
          {({ field, control }) => (
            <Select
              value={field.value}
              onValueChange={(value) => {
                field.onChange(value);
                form.setValue("models", []);
              }}
            >
              <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
                <SelectValue placeholder="Choose a provider" />
              </SelectTrigger>
              <SelectContent>
                {providers.map((p) => (
                  <SelectItem key={p.id} value={p.id}>
                    {p.name}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        </Field>
        <div>
          <Button
            type="button"
            variant="outline"
            size="sm"
            disabled={providerId === "" || discovery.isPending}
            onClick={() => discovery.mutate({ providerId })}
          >
            {discovery.isPending ? (
              <Loader2Icon className="animate-spin" aria-hidden />
            ) : (
              <SearchIcon aria-hidden />
            )}
            Discover models
          </Button>
        </div>
      </div>
      {discovered?.isError && (
        <ErrorAlert title="Could not discover the models">
          {describeError(discovered.error).message}
        </ErrorAlert>
      )}
      {discovered?.data &&
        (discovered.data.outcome === "accepted" ? (
          <DiscoveredModels models={discovered.data.models} />
        ) : (
          <ErrorAlert title="Could not discover the models">
            {discoveryProblem(discovered.data.outcome)}
          </ErrorAlert>
        ))}
      <TextField
        name="typedModel"
        id="deployment-typed-model"
        label="Upstream model name"
        description="A model the provider serves that its list does not name, or any model without discovering."
        placeholder="gpt-4o-mini"
        autoComplete="off"
      />
      <DeploymentSettingsFields idPrefix="add-deployment" />
    </FormDialog>
  );
}
