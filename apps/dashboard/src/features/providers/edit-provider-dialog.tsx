/**
 * Rename a provider or change its base URL. The edit names the version it was opened at; if someone
 * else saved first the server refuses it (409) and the dialog offers to reload their version.
 */
import { baseUrlProblem, type ProviderView, UpdateProviderInput } from "@switchyard/core";
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
import { FormField } from "../../components/ui/form-field.tsx";
import { Input } from "../../components/ui/input.tsx";
import { describeError, zodFieldErrors } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
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
  const [base, setBase] = useState(provider);
  const [values, setValues] = useState({ name: provider?.name ?? "", baseUrl: provider?.baseUrl ?? "" });
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});
  const [reloading, setReloading] = useState(false);
  const [gone, setGone] = useState(false);

  const update = useMutation(
    trpc.providers.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(`Provider "${saved.name}" saved`);
        onClose();
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );

  async function reload() {
    if (!base) return;
    setReloading(true);
    try {
      const fresh = await reloadProvider(base.id);
      if (!fresh) {
        setGone(true);
        return;
      }
      setBase(fresh);
      setValues({ name: fresh.name, baseUrl: fresh.baseUrl });
      setClientErrors({});
      update.reset();
    } catch (error) {
      toast.error("Could not reload the provider", { description: describeError(error).message });
    } finally {
      setReloading(false);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!base) return;
    update.reset();
    const parsed = UpdateProviderInput.safeParse({
      id: base.id,
      version: base.version,
      name: values.name,
      baseUrl: values.baseUrl,
    });
    const errors = parsed.success ? {} : zodFieldErrors(parsed.error);
    const problem =
      parsed.success && parsed.data.baseUrl ? baseUrlProblem(base.kind, parsed.data.baseUrl) : null;
    if (problem) errors.baseUrl = [problem];
    setClientErrors(errors);
    if (parsed.success && !problem) update.mutate(parsed.data);
  }

  const serverError = update.error ? describeError(update.error) : undefined;
  const conflict = serverError?.code === "CONFLICT" && Object.keys(serverError.fieldErrors).length === 0;
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };

  return (
    <Dialog open={provider !== null} onOpenChange={(next) => !next && !update.isPending && onClose()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Edit provider</DialogTitle>
          <DialogDescription>
            {base ? `${kindLabel(base.kind)}. ` : ""}To change its API key, use Rotate credential.
          </DialogDescription>
        </DialogHeader>
        <form
          id="edit-provider-form"
          onSubmit={onSubmit}
          noValidate
          aria-label="Edit provider"
          className="grid gap-4"
        >
          {gone && (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>The provider is gone</AlertTitle>
              <AlertDescription>
                Someone deleted it. Close the dialog to see the current list.
              </AlertDescription>
            </Alert>
          )}
          {conflict && !gone && (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>Someone else saved this provider first</AlertTitle>
              <AlertDescription>
                <p>{serverError.message}</p>
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
              <AlertTitle>Could not save the provider</AlertTitle>
              <AlertDescription>{serverError.message}</AlertDescription>
            </Alert>
          )}
          <FormField id="edit-provider-name" label="Name" errors={fieldErrors.name}>
            <Input
              value={values.name}
              onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
              autoComplete="off"
            />
          </FormField>
          <FormField id="edit-provider-base-url" label="Base URL" errors={fieldErrors.baseUrl}>
            <Input
              type="url"
              value={values.baseUrl}
              onChange={(e) => setValues((v) => ({ ...v, baseUrl: e.target.value }))}
              placeholder={base ? baseUrlPlaceholder(base.kind) : undefined}
            />
          </FormField>
        </form>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline" disabled={update.isPending}>
              Cancel
            </Button>
          </DialogClose>
          <Button type="submit" form="edit-provider-form" disabled={update.isPending || conflict || gone}>
            {update.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
            Save changes
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
