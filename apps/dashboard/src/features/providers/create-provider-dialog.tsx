/**
 * Add a provider. The API key goes in a password field; once saved it is stored encrypted and never
 * shown again: lists show only its last 4 characters. One opening adds at most one provider (see
 * useCreateOnce).
 */
import type { CreateProviderInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useWatch } from "react-hook-form";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { Field, TextField } from "../../components/form/fields.tsx";
import { isAlreadyCreated, serverProblems } from "../../components/form/server-errors.ts";
import { useCreateOnce } from "../../components/form/use-create-once.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { InClusterField } from "./in-cluster-field.tsx";
import { CreateProviderForm, emptyProviderForm } from "./provider-forms.ts";
import { baseUrlPlaceholder, maskedKey, providerKindList } from "./provider-kinds.ts";

export function CreateProviderDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(CreateProviderForm, emptyProviderForm);
  const kind = useWatch({ control: form.control, name: "kind" });
  const once = useCreateOnce(open);

  const create = useMutation(
    trpc.providers.create.mutationOptions({
      onSuccess: async (provider) => {
        const primary = provider.credentials.find((c) => c.role === "primary");
        toast.success(`Provider "${provider.name}" added`, {
          description: primary
            ? `The API key is stored encrypted; it shows as ${maskedKey(primary.last4)} from now on.`
            : "No API key stored: add one later with Rotate credential if the provider needs it.",
        });
        form.reset(emptyProviderForm);
        onOpenChange(false);
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
      // A repeat of a create that succeeded stays refused; anything else may be fixed and sent again.
      onError: (error) => !isAlreadyCreated(error) && once.release(),
    }),
  );
  const { general } = serverProblems(create.error, Object.keys(emptyProviderForm));

  function onSubmit(input: CreateProviderInput) {
    if (!once.claim()) return;
    create.mutate({ ...input, idempotencyKey: once.idempotencyKey });
  }

  function changeOpen(next: boolean) {
    if (!next) {
      create.reset();
      form.clearErrors();
      // The key must not linger in memory once the dialog is dismissed.
      form.setValue("apiKey", "");
    }
    onOpenChange(next);
  }

  const hint = providerKindList.find((k) => k.kind === kind)?.baseUrlHint;

  return (
    <FormDialog
      open={open}
      onOpenChange={changeOpen}
      title="Add provider"
      description="An upstream that serves models. Its API key is encrypted at rest and never shown again after you save."
      formId="create-provider-form"
      formLabel="Add provider"
      form={form}
      onSubmit={onSubmit}
      serverError={create.error}
      pending={create.isPending}
      submitLabel="Add provider"
    >
      {general &&
        (isAlreadyCreated(create.error) ? (
          <ErrorAlert title="This provider was already added">
            Close this dialog to see it in the list.
          </ErrorAlert>
        ) : (
          <ErrorAlert title="Could not add the provider">{general.message}</ErrorAlert>
        ))}
      <TextField name="name" id="provider-name" label="Name" placeholder="openai-prod" autoComplete="off" />
      <Field name="kind" id="provider-kind" label="Kind">
        {({ field, control }) => (
          <Select value={field.value} onValueChange={field.onChange}>
            <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
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
      </Field>
      <TextField
        name="baseUrl"
        id="provider-base-url"
        label="Base URL"
        description={hint}
        type="url"
        placeholder={baseUrlPlaceholder(kind)}
      />
      <InClusterField id="provider-in-cluster" />
      <TextField
        name="apiKey"
        id="provider-api-key"
        label="API key"
        description="Optional for providers that need none (a local vLLM). Never shown again after saving."
        type="password"
        autoComplete="off"
      />
    </FormDialog>
  );
}
