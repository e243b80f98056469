/**
 * Rename a provider, change its base URL, or mark it in-cluster. The edit names the version it was
 * opened at; if someone else saved first the server refuses it (409) and the dialog offers to reload
 * their version. Moving a provider with a stored key to another host asks for the key again: the
 * stored one is never sent to a host it was not entered for.
 */
import type { ProviderView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useWatch } from "react-hook-form";
import { toast } from "sonner";
import { TextField } from "../../components/form/fields.tsx";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { SaveProblems } from "../../components/save-problems.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useConflictAwareSave } from "../../lib/use-conflict-aware-save.ts";
import { InClusterField } from "./in-cluster-field.tsx";
import {
  type EditProviderFormValues,
  editProviderForm,
  needsKeyForMove,
  type UpdateProviderFields,
} from "./provider-forms.ts";
import { baseUrlPlaceholder, kindLabel } from "./provider-kinds.ts";

function toForm(provider: ProviderView | null): EditProviderFormValues {
  return {
    name: provider?.name ?? "",
    baseUrl: provider?.baseUrl ?? "",
    apiKey: "",
    inCluster: provider?.inCluster ?? false,
    keyBaseUrl: provider && provider.credentials.length > 0 ? provider.baseUrl : null,
  };
}

export function EditProviderDialog({
  provider,
  onClose,
  reloadProvider,
}: {
  /** The provider to edit; null when closed. Render with `key={id}` so each provider starts afresh. */
  provider: ProviderView | null;
  onClose: () => void;
  /** The provider as saved now (after a conflict); undefined when it is gone. */
  reloadProvider: (id: string) => Promise<ProviderView | undefined>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(editProviderForm(provider?.kind ?? "openai"), toForm(provider));
  const [baseUrl, keyBaseUrl] = useWatch({ control: form.control, name: ["baseUrl", "keyBaseUrl"] });

  const update = useMutation(
    trpc.providers.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(`Provider "${saved.name}" saved`);
        onClose();
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );
  const save = useConflictAwareSave(update, {
    initial: provider,
    fetchFresh: reloadProvider,
    onReloaded: (fresh) => form.reset(toForm(fresh)),
    reloadFailedTitle: "Could not reload the provider",
    formFields: Object.keys(toForm(null)),
  });
  const { base } = save;
  // Asked for only when the base URL leaves the host the stored key was entered for.
  const needsKey = needsKeyForMove({ baseUrl, keyBaseUrl });

  function onSubmit(fields: UpdateProviderFields) {
    if (!base || update.isPending) return;
    update.mutate({ ...fields, id: base.id, version: base.version });
  }

  return (
    <FormDialog
      open={provider !== null}
      onOpenChange={(next) => !next && onClose()}
      title="Edit provider"
      description={
        <>{base ? `${kindLabel(base.kind)}. ` : ""}To change its API key, use Rotate credential.</>
      }
      formId="edit-provider-form"
      formLabel="Edit provider"
      form={form}
      onSubmit={onSubmit}
      serverError={update.error}
      pending={update.isPending}
      submitDisabled={save.blocked}
      submitLabel="Save changes"
    >
      <SaveProblems
        save={save}
        goneTitle="The provider is gone"
        goneMessage="Someone deleted it. Close the dialog to see the current list."
        conflictTitle="Someone else saved this provider first"
        failedTitle="Could not save the provider"
      />
      <TextField name="name" id="edit-provider-name" label="Name" autoComplete="off" />
      <TextField
        name="baseUrl"
        id="edit-provider-base-url"
        label="Base URL"
        type="url"
        placeholder={base ? baseUrlPlaceholder(base.kind) : undefined}
      />
      <InClusterField id="edit-provider-in-cluster" />
      {needsKey && (
        <TextField
          name="apiKey"
          id="edit-provider-api-key"
          label="API key for the new host"
          type="password"
          autoComplete="off"
          description="The stored key stays with the old host and is retired when you save."
        />
      )}
    </FormDialog>
  );
}
