/** "Create key": the key form in a dialog; on success the new secret goes to the show-once dialog. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { FormDialog } from "../../components/form-dialog.tsx";
import { useFormErrors } from "../../lib/form-errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { FormOptionsError, useKeyFormOptions } from "./form-options.tsx";
import { KeyFormFields } from "./key-form.tsx";
import { emptyKeyForm, toCreateInput } from "./key-form-values.ts";
import type { IssuedSecret } from "./secret-dialog.tsx";

export function CreateKeyDialog({
  open,
  onOpenChange,
  onIssued,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onIssued: (issued: IssuedSecret) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = useKeyFormOptions(open);
  const [values, setValues] = useState(emptyKeyForm);

  const create = useMutation(
    trpc.keys.create.mutationOptions({
      onSuccess: async ({ key, secret }) => {
        onOpenChange(false);
        setValues(emptyKeyForm);
        onIssued({ keyName: key.name, secret, reason: "created" });
        toast.success(`Key "${key.name}" created`);
        await queryClient.invalidateQueries(trpc.keys.pathFilter());
      },
    }),
  );
  const { fieldErrors, generalError, setClientErrors } = useFormErrors(create.error);

  function onSubmit() {
    create.reset();
    const result = toCreateInput(values);
    setClientErrors(result.ok ? {} : result.fieldErrors);
    if (result.ok) create.mutate(result.input);
  }

  function changeOpen(next: boolean) {
    if (!next) {
      create.reset();
      setClientErrors({});
    }
    onOpenChange(next);
  }

  return (
    <FormDialog
      open={open}
      onOpenChange={changeOpen}
      title="Create key"
      description="The secret is shown once, right after the key is created. Switchyard keeps only a hash of it."
      contentClassName="max-h-[90svh] overflow-y-auto sm:max-w-2xl"
      formId="create-key-form"
      formLabel="Create key"
      onSubmit={onSubmit}
      pending={create.isPending}
      submitLabel="Create key"
    >
      {options.isError && <FormOptionsError error={options.error} onRetry={() => void options.refetch()} />}
      {generalError && <ErrorAlert title="Could not create the key">{generalError.message}</ErrorAlert>}
      <KeyFormFields
        idPrefix="create-key"
        values={values}
        onChange={setValues}
        errors={fieldErrors}
        options={options.data}
      />
    </FormDialog>
  );
}
