/**
 * Edit a key. The edit names the version it was opened at; when someone else saved the key in the
 * meantime the server refuses it (409) and the dialog offers to reload their version.
 */
import type { KeyView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { SaveProblems } from "../../components/save-problems.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useConflictAwareSave } from "../../lib/use-conflict-aware-save.ts";
import { FormOptionsError, useKeyFormOptions } from "./form-options.tsx";
import { KeyFormFields } from "./key-form.tsx";
import { emptyKeyForm, keyToForm, type UpdateKeyFields, UpdateKeyForm } from "./key-form-values.ts";

export function EditKeyDialog({
  keyView,
  onClose,
  reloadKey,
}: {
  /** The key to edit; null when the dialog is closed. Render with `key={id}` so each key starts afresh. */
  keyView: KeyView | null;
  onClose: () => void;
  /** Fetches the key as it is saved now (after a conflict); undefined when it is gone. */
  reloadKey: (id: string) => Promise<KeyView | undefined>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const open = keyView !== null;
  const options = useKeyFormOptions(open);
  const form = useZodForm(UpdateKeyForm, keyView ? keyToForm(keyView) : emptyKeyForm);

  const update = useMutation(
    trpc.keys.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(`Key "${saved.name}" saved`);
        onClose();
        await queryClient.invalidateQueries(trpc.keys.pathFilter());
      },
    }),
  );
  const save = useConflictAwareSave(update, {
    initial: keyView,
    fetchFresh: reloadKey,
    onReloaded: (fresh) => form.reset(keyToForm(fresh)),
    reloadFailedTitle: "Could not reload the key",
    formFields: Object.keys(emptyKeyForm),
  });
  const { base } = save;

  function onSubmit(fields: UpdateKeyFields) {
    if (!base || update.isPending) return;
    update.mutate({ ...fields, id: base.id, version: base.version });
  }

  return (
    <FormDialog
      open={open}
      onOpenChange={(next) => !next && onClose()}
      title="Edit key"
      description="Changes reach every proxy within a second. The secret stays the same; rotate the key to change it."
      contentClassName="max-h-[90svh] overflow-y-auto sm:max-w-2xl"
      formId="edit-key-form"
      formLabel="Edit key"
      form={form}
      onSubmit={onSubmit}
      serverError={update.error}
      pending={update.isPending}
      submitDisabled={save.blocked}
      submitLabel="Save changes"
    >
      {base && (
        <>
          {options.isError && (
            <FormOptionsError error={options.error} onRetry={() => void options.refetch()} />
          )}
          <SaveProblems
            save={save}
            goneTitle="The key is gone"
            goneMessage="This key no longer exists or was revoked. Close the dialog to see the current list."
            conflictTitle="Someone else saved this key first"
            failedTitle="Could not save the key"
          />
          <KeyFormFields
            idPrefix="edit-key"
            options={options.data}
            fixedOwner={base.owner ? `${base.owner.name} (${base.owner.type})` : "No owner"}
          />
        </>
      )}
    </FormDialog>
  );
}
