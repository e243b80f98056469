/** "Create key": the key form in a dialog; on success the new secret goes to the show-once dialog. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon, TriangleAlertIcon } from "lucide-react";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "../../components/ui/dialog.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { FormOptionsError, useKeyFormOptions } from "./form-options.tsx";
import { KeyFormFields } from "./key-form.tsx";
import { emptyKeyForm, type FieldErrors, toCreateInput } from "./key-form-values.ts";
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
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});

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

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.reset();
    const result = toCreateInput(values);
    setClientErrors(result.ok ? {} : result.fieldErrors);
    if (result.ok) create.mutate(result.input);
  }

  function changeOpen(next: boolean) {
    if (create.isPending) return;
    if (!next) {
      create.reset();
      setClientErrors({});
    }
    onOpenChange(next);
  }

  const serverError = create.error ? describeError(create.error) : undefined;
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogContent className="max-h-[90svh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Create key</DialogTitle>
          <DialogDescription>
            The secret is shown once, right after the key is created. Switchyard keeps only a hash of it.
          </DialogDescription>
        </DialogHeader>
        <form
          id="create-key-form"
          onSubmit={onSubmit}
          noValidate
          aria-label="Create key"
          className="grid gap-4"
        >
          {options.isError && (
            <FormOptionsError error={options.error} onRetry={() => void options.refetch()} />
          )}
          {serverError && Object.keys(serverError.fieldErrors).length === 0 && (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>Could not create the key</AlertTitle>
              <AlertDescription>{serverError.message}</AlertDescription>
            </Alert>
          )}
          <KeyFormFields
            idPrefix="create-key"
            values={values}
            onChange={setValues}
            errors={fieldErrors}
            options={options.data}
          />
        </form>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline" disabled={create.isPending}>
              Cancel
            </Button>
          </DialogClose>
          <Button type="submit" form="create-key-form" disabled={create.isPending}>
            {create.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
            Create key
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
