/**
 * Edit a key. The edit names the version it was opened at; when someone else saved the key in the
 * meantime the server refuses it (409) and the dialog offers to reload their version.
 */
import type { KeyView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon, RefreshCwIcon, TriangleAlertIcon } from "lucide-react";
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
import { type FieldErrors, type KeyFormValues, keyToForm, toUpdateInput } from "./key-form-values.ts";

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
  // The version being edited: the key as opened, or as reloaded after a conflict.
  const [base, setBase] = useState<KeyView | null>(keyView);
  const [values, setValues] = useState<KeyFormValues | null>(keyView && keyToForm(keyView));
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [reloading, setReloading] = useState(false);
  const [goneMessage, setGoneMessage] = useState<string | null>(null);

  const update = useMutation(
    trpc.keys.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(`Key "${saved.name}" saved`);
        onClose();
        await queryClient.invalidateQueries(trpc.keys.pathFilter());
      },
    }),
  );
  async function reload() {
    if (!base) return;
    setReloading(true);
    try {
      const fresh = await reloadKey(base.id);
      if (!fresh) {
        setGoneMessage("This key no longer exists or was revoked. Close the dialog to see the current list.");
        return;
      }
      setBase(fresh);
      setValues(keyToForm(fresh));
      setClientErrors({});
      update.reset();
    } catch (error) {
      toast.error("Could not reload the key", { description: describeError(error).message });
    } finally {
      setReloading(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!base || !values) return;
    update.reset();
    const result = toUpdateInput(values, base);
    setClientErrors(result.ok ? {} : result.fieldErrors);
    if (result.ok) update.mutate(result.input);
  }

  const serverError = update.error ? describeError(update.error) : undefined;
  const conflict = serverError?.code === "CONFLICT";
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };

  return (
    <Dialog open={open} onOpenChange={(next) => !next && !update.isPending && onClose()}>
      <DialogContent className="max-h-[90svh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Edit key</DialogTitle>
          <DialogDescription>
            Changes reach every proxy within a second. The secret stays the same; rotate the key to change it.
          </DialogDescription>
        </DialogHeader>
        {base && values && (
          <form
            id="edit-key-form"
            onSubmit={onSubmit}
            noValidate
            aria-label="Edit key"
            className="grid gap-4"
          >
            {options.isError && (
              <FormOptionsError error={options.error} onRetry={() => void options.refetch()} />
            )}
            {goneMessage && (
              <Alert variant="destructive">
                <TriangleAlertIcon aria-hidden />
                <AlertTitle>The key is gone</AlertTitle>
                <AlertDescription>{goneMessage}</AlertDescription>
              </Alert>
            )}
            {conflict && !goneMessage && (
              <Alert variant="destructive">
                <TriangleAlertIcon aria-hidden />
                <AlertTitle>Someone else saved this key first</AlertTitle>
                <AlertDescription>
                  <p>{serverError.message}</p>
                  <p>Reload to see their version; your changes in this form will be replaced.</p>
                  <Button variant="outline" size="sm" className="mt-2" onClick={reload} disabled={reloading}>
                    <RefreshCwIcon className={reloading ? "animate-spin" : undefined} aria-hidden />
                    Reload
                  </Button>
                </AlertDescription>
              </Alert>
            )}
            {serverError && !conflict && Object.keys(serverError.fieldErrors).length === 0 && (
              <Alert variant="destructive">
                <TriangleAlertIcon aria-hidden />
                <AlertTitle>Could not save the key</AlertTitle>
                <AlertDescription>{serverError.message}</AlertDescription>
              </Alert>
            )}
            <KeyFormFields
              idPrefix="edit-key"
              values={values}
              onChange={setValues}
              errors={fieldErrors}
              options={options.data}
              fixedOwner={base.owner ? `${base.owner.name} (${base.owner.type})` : "No owner"}
            />
          </form>
        )}
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline" disabled={update.isPending}>
              Cancel
            </Button>
          </DialogClose>
          <Button
            type="submit"
            form="edit-key-form"
            disabled={update.isPending || conflict || goneMessage !== null}
          >
            {update.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
            Save changes
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
