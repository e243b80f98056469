/**
 * Add a provider. The API key goes in a password field; once saved it is stored encrypted and never
 * shown again: lists show only its last 4 characters.
 */
import { CreateProviderInput, type ProviderKind } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { FormDialog } from "../../components/form-dialog.tsx";
import { TextField } from "../../components/text-field.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { fieldBinder } from "../../lib/bind-field.ts";
import { zodFieldErrors } from "../../lib/errors.ts";
import { useFormErrors } from "../../lib/form-errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { InClusterField } from "./in-cluster-field.tsx";
import { baseUrlPlaceholder, maskedKey, providerKindList } from "./provider-kinds.ts";

type Values = { name: string; kind: ProviderKind; baseUrl: string; apiKey: string; inCluster: boolean };
const empty: Values = { name: "", kind: "openai", baseUrl: "", apiKey: "", inCluster: false };

export function CreateProviderDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(empty);

  const create = useMutation(
    trpc.providers.create.mutationOptions({
      onSuccess: async (provider) => {
        const primary = provider.credentials.find((c) => c.role === "primary");
        toast.success(`Provider "${provider.name}" added`, {
          description: primary
            ? `The API key is stored encrypted; it shows as ${maskedKey(primary.last4)} from now on.`
            : "No API key stored: add one later with Rotate credential if the provider needs it.",
        });
        setValues(empty);
        onOpenChange(false);
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );
  const { fieldErrors, generalError, setClientErrors } = useFormErrors(create.error);

  function set<K extends keyof Values>(key: K, value: Values[K]) {
    setValues((v) => ({ ...v, [key]: value }));
  }

  function onSubmit() {
    create.reset();
    const parsed = CreateProviderInput.safeParse({
      name: values.name,
      kind: values.kind,
      baseUrl: values.baseUrl,
      apiKey: values.apiKey.trim() === "" ? undefined : values.apiKey,
      inCluster: values.inCluster,
    });
    setClientErrors(parsed.success ? {} : zodFieldErrors(parsed.error));
    if (parsed.success) create.mutate(parsed.data);
  }

  function changeOpen(next: boolean) {
    if (!next) {
      create.reset();
      setClientErrors({});
      // The key must not linger in memory once the dialog is dismissed.
      setValues((v) => ({ ...v, apiKey: "" }));
    }
    onOpenChange(next);
  }

  const bind = fieldBinder(values, set, fieldErrors);
  const hint = providerKindList.find((k) => k.kind === values.kind)?.baseUrlHint;

  return (
    <FormDialog
      open={open}
      onOpenChange={changeOpen}
      title="Add provider"
      description="An upstream that serves models. Its API key is encrypted at rest and never shown again after you save."
      formId="create-provider-form"
      formLabel="Add provider"
      onSubmit={onSubmit}
      pending={create.isPending}
      submitLabel="Add provider"
    >
      {generalError && <ErrorAlert title="Could not add the provider">{generalError.message}</ErrorAlert>}
      <TextField
        id="provider-name"
        label="Name"
        {...bind("name")}
        placeholder="openai-prod"
        autoComplete="off"
      />
      <FormField id="provider-kind" label="Kind" errors={fieldErrors.kind}>
        {(control) => (
          <Select value={values.kind} onValueChange={(v) => set("kind", v as ProviderKind)}>
            <SelectTrigger {...control}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {providerKindList.map((k) => (
                <SelectItem key={k.kind} value={k.kind}>
                  {k.label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </FormField>
      <TextField
        id="provider-base-url"
        label="Base URL"
        description={hint}
        type="url"
        {...bind("baseUrl")}
        placeholder={baseUrlPlaceholder(values.kind)}
      />
      <InClusterField
        id="provider-in-cluster"
        checked={values.inCluster}
        onCheckedChange={(checked) => set("inCluster", checked)}
      />
      <TextField
        id="provider-api-key"
        label="API key"
        description="Optional for providers that need none (a local vLLM). Never shown again after saving."
        type="password"
        autoComplete="off"
        {...bind("apiKey")}
      />
    </FormDialog>
  );
}
