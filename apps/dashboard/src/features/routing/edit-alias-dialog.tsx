/**
 * Edit an alias: rename it, change its strategy and its targets. The edit names the version it was
 * opened at; if someone else saved first the server refuses it (409) and the dialog offers to
 * reload their version.
 */
import type { AliasView, DeploymentView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { SaveProblems } from "../../components/save-problems.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useConflictAwareSave } from "../../lib/use-conflict-aware-save.ts";
import { AliasFields } from "./alias-fields.tsx";
import { aliasToForm, EditAliasForm, type UpdateAliasFields } from "./alias-forms.ts";

export function EditAliasDialog({
  alias,
  deployments,
  onClose,
  reloadAlias,
}: {
  /** The alias to edit; null when closed. Render with `key={id}` so each starts afresh. */
  alias: AliasView | null;
  deployments: readonly DeploymentView[];
  onClose: () => void;
  /** The alias as saved now (after a conflict); undefined when it is gone. */
  reloadAlias: (id: string) => Promise<AliasView | undefined>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(EditAliasForm, aliasToForm(alias));

  const update = useMutation(
    trpc.routing.aliases.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(`Alias "${saved.name}" saved`, {
          description: "Every proxy routes by it within a second.",
        });
        onClose();
        await queryClient.invalidateQueries(trpc.routing.pathFilter());
      },
    }),
  );
  const save = useConflictAwareSave(update, {
    initial: alias,
    fetchFresh: reloadAlias,
    onReloaded: (fresh) => form.reset(aliasToForm(fresh)),
    reloadFailedTitle: "Could not reload the alias",
    formFields: Object.keys(aliasToForm(null)),
  });
  const { base } = save;

  function onSubmit(fields: UpdateAliasFields) {
    if (!base || update.isPending) return;
    update.mutate({ ...fields, id: base.id, version: base.version });
  }

  return (
    <FormDialog
      open={alias !== null}
      onOpenChange={(next) => !next && onClose()}
      title="Edit alias"
      description="Keys that allow it keep working: a new name is carried into them."
      formId="edit-alias-form"
      formLabel="Edit alias"
      form={form}
      onSubmit={onSubmit}
      serverError={update.error}
      pending={update.isPending}
      submitDisabled={save.blocked}
      submitLabel="Save changes"
      contentClassName="max-h-[90svh] overflow-y-auto sm:max-w-xl"
    >
      <SaveProblems
        save={save}
        goneTitle="The alias is gone"
        goneMessage="Someone deleted it. Close the dialog to see the current list."
        conflictTitle="Someone else saved this alias first"
        failedTitle="Could not save the alias"
      />
      <AliasFields idPrefix="edit-alias" deployments={deployments} kindFixed={base?.kind ?? "chat"} />
    </FormDialog>
  );
}
