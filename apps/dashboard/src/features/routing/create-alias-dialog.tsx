/**
 * Create an alias: the name clients send, its kind and strategy, and the deployments that serve
 * it in order. One opening creates at most one alias (see useCreateOnce).
 */
import type { CreateAliasInput, DeploymentView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { isAlreadyCreated, serverProblems } from "../../components/form/server-errors.ts";
import { useCreateOnce } from "../../components/form/use-create-once.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { AliasFields } from "./alias-fields.tsx";
import { CreateAliasForm, emptyAliasForm } from "./alias-forms.ts";

export function CreateAliasDialog({
  open,
  onOpenChange,
  deployments,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  deployments: readonly DeploymentView[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(CreateAliasForm, emptyAliasForm);
  const once = useCreateOnce(open);

  const create = useMutation(
    trpc.routing.aliases.create.mutationOptions({
      onSuccess: async (alias) => {
        toast.success(`Alias "${alias.name}" created`, {
          description: "Keys that allow it can call it within a second.",
        });
        form.reset(emptyAliasForm);
        onOpenChange(false);
        await queryClient.invalidateQueries(trpc.routing.pathFilter());
      },
      onError: (error) => !isAlreadyCreated(error) && once.release(),
    }),
  );
  const { general } = serverProblems(create.error, Object.keys(emptyAliasForm));

  function onSubmit(input: CreateAliasInput) {
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
      title="Create alias"
      description="A model name clients send, served by one or more deployments."
      formId="create-alias-form"
      formLabel="Create alias"
      form={form}
      onSubmit={onSubmit}
      serverError={create.error}
      pending={create.isPending}
      submitLabel="Create alias"
      contentClassName="max-h-[90svh] overflow-y-auto sm:max-w-xl"
    >
      {general &&
        (isAlreadyCreated(create.error) ? (
          <ErrorAlert title="This alias was already created">
            Close this dialog to see it in the list.
          </ErrorAlert>
        ) : (
          <ErrorAlert title="Could not create the alias">{general.message}</ErrorAlert>
        ))}
      <AliasFields idPrefix="create-alias" deployments={deployments} />
    </FormDialog>
  );
}
