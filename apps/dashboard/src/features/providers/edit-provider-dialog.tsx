/**
 * Rename a provider, change its base URL, or mark it in-cluster. The edit names the version it was opened at; if someone
 * else saved first the server refuses it (409) and the dialog offers to reload their version.
 * Moving a provider with a stored key to another host asks for the key again: the stored one is
 * never sent to a host it was not entered for.
 */
import {
  baseUrlProblem,
  originChangeNeedsKey,
  type ProviderView,
  sameOrigin,
  UpdateProviderInput,
} from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { FormDialog } from "../../components/form-dialog.tsx";
import { SaveProblems } from "../../components/save-problems.tsx";
import { TextField } from "../../components/text-field.tsx";
import { fieldBinder } from "../../lib/bind-field.ts";
import { zodFieldErrors } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useConflictAwareSave } from "../../lib/use-conflict-aware-save.ts";
import { InClusterField } from "./in-cluster-field.tsx";
import { baseUrlPlaceholder, kindLabel } from "./provider-kinds.ts";

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
  const [values, setValues] = useState({
    name: provider?.name ?? "",
    baseUrl: provider?.baseUrl ?? "",
    apiKey: "",
    inCluster: provider?.inCluster ?? false,
  });

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
    onReloaded: (fresh) =>
      setValues({ name: fresh.name, baseUrl: fresh.baseUrl, apiKey: "", inCluster: fresh.inCluster }),
    reloadFailedTitle: "Could not reload the provider",
  });
  const { base } = save;
  const bind = fieldBinder(
    values,
    (key, value) => setValues((v) => ({ ...v, [key]: value })),
    save.fieldErrors,
  );

  // Asked for only when the base URL leaves the host the stored key was entered for.
  const needsKey = base !== null && base.credentials.length > 0 && !sameOrigin(base.baseUrl, values.baseUrl);

  function onSubmit() {
    if (!base) return;
    update.reset();
    const parsed = UpdateProviderInput.safeParse({
      id: base.id,
      version: base.version,
      name: values.name,
      baseUrl: values.baseUrl,
      inCluster: values.inCluster,
      ...(needsKey && values.apiKey.trim() !== "" ? { apiKey: values.apiKey } : {}),
    });
    const errors = parsed.success ? {} : zodFieldErrors(parsed.error);
    const problem =
      parsed.success && parsed.data.baseUrl
        ? baseUrlProblem(base.kind, parsed.data.baseUrl, { inCluster: values.inCluster })
        : null;
    if (problem) errors.baseUrl = [problem];
    if (needsKey && values.apiKey.trim() === "") errors.apiKey = [originChangeNeedsKey];
    save.setClientErrors(errors);
    if (parsed.success && Object.keys(errors).length === 0) update.mutate(parsed.data);
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
      onSubmit={onSubmit}
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
      <TextField id="edit-provider-name" label="Name" {...bind("name")} autoComplete="off" />
      <TextField
        id="edit-provider-base-url"
        label="Base URL"
        type="url"
        {...bind("baseUrl")}
        placeholder={base ? baseUrlPlaceholder(base.kind) : undefined}
      />
      <InClusterField
        id="edit-provider-in-cluster"
        checked={values.inCluster}
        onCheckedChange={(checked) => setValues((v) => ({ ...v, inCluster: checked }))}
      />
      {needsKey && (
        <TextField
          id="edit-provider-api-key"
          label="API key for the new host"
          type="password"
          {...bind("apiKey")}
          autoComplete="off"
          description="The stored key stays with the old host and is retired when you save."
        />
      )}
    </FormDialog>
  );
}
