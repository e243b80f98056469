/**
 * "Create key": the key form in a dialog; on success the new secret goes to the show-once dialog.
 * One opening creates at most one key: repeated clicks are stopped in the browser, and the opening's
 * idempotency key makes the server answer any repeat that gets through "Already created".
 */
import type { CreateKeyInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { isAlreadyCreated, serverProblems } from "../../components/form/server-errors.ts";
import { useCreateOnce } from "../../components/form/use-create-once.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { FormOptionsError, useKeyFormOptions } from "./form-options.tsx";
import { KeyFormFields } from "./key-form.tsx";
import { CreateKeyForm, emptyKeyForm } from "./key-form-values.ts";
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
  const form = useZodForm(CreateKeyForm, emptyKeyForm);
  const once = useCreateOnce(open);

  const create = useMutation(
    trpc.keys.create.mutationOptions({
      onSuccess: async ({ key, secret }) => {
        onOpenChange(false);
        form.reset(emptyKeyForm);
        onIssued({ keyName: key.name, secret, reason: "created" });
        toast.success(`Key "${key.name}" created`);
        await queryClient.invalidateQueries(trpc.keys.pathFilter());
      },
      // A repeat of a create that succeeded stays refused; anything else may be fixed and sent again.
      onError: (error) => !isAlreadyCreated(error) && once.release(),
    }),
  );
  const { general } = serverProblems(create.error, Object.keys(emptyKeyForm));

  function onSubmit(input: CreateKeyInput) {
    if (!once.claim()) return;
    create.mutate({ ...input, idempotencyKey: once.idempotencyKey });
  }

  function changeOpen(next: boolean) {
    if (!next) {
      create.reset();
      form.clearErrors();
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
      form={form}
      onSubmit={onSubmit}
      serverError={create.error}
      pending={create.isPending}
      submitLabel="Create key"
    >
      {options.isError && <FormOptionsError error={options.error} onRetry={() => void options.refetch()} />}
      {general &&
        (isAlreadyCreated(create.error) ? (
          <ErrorAlert title="This key was already created">
            Its secret was shown when it was created. Close this dialog; if the secret was not copied, rotate
            the key to get a new one.
          </ErrorAlert>
        ) : (
          <ErrorAlert title="Could not create the key">{general.message}</ErrorAlert>
        ))}
      <KeyFormFields idPrefix="create-key" options={options.data} />
    </FormDialog>
  );
}
