/**
 * Edit a key. The edit names the version it was opened at; when someone else saved the key in the
 * meantime the server refuses it (409) and the dialog offers to reload their version.
 */
import type { KeyView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { FormDialog } from "../../components/form-dialog.tsx";
import { SaveProblems } from "../../components/save-problems.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useConflictAwareSave } from "../../lib/use-conflict-aware-save.ts";
import { FormOptionsError, useKeyFormOptions } from "./form-options.tsx";
import { KeyFormFields } from "./key-form.tsx";
import { type KeyFormValues, keyToForm, toUpdateInput } from "./key-form-values.ts";

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
  const [values, setValues] = useState<KeyFormValues | null>(keyView && keyToForm(keyView));

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
    onReloaded: (fresh) => setValues(keyToForm(fresh)),
    reloadFailedTitle: "Could not reload the key",
  });
  const { base } = save;

  function onSubmit() {
    if (!base || !values) return;
    update.reset();
    const result = toUpdateInput(values, base);
    save.setClientErrors(result.ok ? {} : result.fieldErrors);
    if (result.ok) update.mutate(result.input);
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
      onSubmit={onSubmit}
      pending={update.isPending}
      submitDisabled={save.blocked}
      submitLabel="Save changes"
    >
      {base && values && (
        <>
          {options.isError && (
            <FormOptionsError error={options.error} onRetry={() => void options.refetch()} />
          )}
          <SaveProblems
            save={save}
            goneTitle="The key is gone"
            goneMessage="This key no longer exists or was revoked. Close the dialog to see the current list."
            conflictTitle="Someone else saved this key first"
            conflictHint="Reload to see their version; your changes in this form will be replaced."
            failedTitle="Could not save the key"
          />
          <KeyFormFields
            idPrefix="edit-key"
            values={values}
            onChange={setValues}
            errors={save.fieldErrors}
            options={options.data}
            fixedOwner={base.owner ? `${base.owner.name} (${base.owner.type})` : "No owner"}
          />
        </>
      )}
    </FormDialog>
  );
}
