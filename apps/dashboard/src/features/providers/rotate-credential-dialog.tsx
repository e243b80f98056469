/**
 * Rotate a provider's API key without downtime: the new key takes traffic at once, and the current one
 * stays as a fallback for the overlap window (a 401 on the new key falls back to it and raises an alert).
 */
import { type ProviderView, RotateProviderCredentialInput } from "@switchyard/core";
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
import { FormField } from "../../components/ui/form-field.tsx";
import { Input } from "../../components/ui/input.tsx";
import { describeError, zodFieldErrors } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { maskedKey } from "./provider-kinds.ts";

const defaultOverlapMinutes = "60";

export function RotateCredentialDialog({
  provider,
  onClose,
}: {
  /** The provider whose key to rotate; null when closed. Render with `key={id}`. */
  provider: ProviderView | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [apiKey, setApiKey] = useState("");
  const [overlap, setOverlap] = useState(defaultOverlapMinutes);
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});
  const current = provider?.credentials.find((c) => c.role === "primary");

  const rotate = useMutation(
    trpc.providers.rotateCredential.mutationOptions({
      onSuccess: async (saved) => {
        const primary = saved.credentials.find((c) => c.role === "primary");
        toast.success(`New API key for "${saved.name}" in use`, {
          description: primary ? `Stored encrypted; it shows as ${maskedKey(primary.last4)}.` : undefined,
        });
        setApiKey("");
        onClose();
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!provider) return;
    rotate.reset();
    const trimmed = overlap.trim();
    const minutes = current ? (/^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN) : 0;
    const parsed = RotateProviderCredentialInput.safeParse({
      id: provider.id,
      apiKey,
      overlapMinutes: minutes,
    });
    const errors = parsed.success ? {} : zodFieldErrors(parsed.error);
    if (Number.isNaN(minutes)) errors.overlapMinutes = ["Enter a whole number of minutes"];
    setClientErrors(errors);
    if (parsed.success) rotate.mutate(parsed.data);
  }

  const serverError = rotate.error ? describeError(rotate.error) : undefined;
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };

  return (
    <Dialog
      open={provider !== null}
      onOpenChange={(next) => {
        if (next || rotate.isPending) return;
        setApiKey("");
        onClose();
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>
            {current ? "Rotate API key" : "Add API key"} for {provider ? `"${provider.name}"` : "provider"}
          </DialogTitle>
          <DialogDescription>
            {current
              ? `The new key takes traffic at once. The current key (${maskedKey(current.last4)}) stays as a fallback during the overlap: if the provider refuses the new key, requests fall back to the old one and an alert is raised. Revoke the old key at the provider only after the overlap.`
              : "The provider has no API key yet; this one takes traffic at once."}
          </DialogDescription>
        </DialogHeader>
        <form
          id="rotate-credential-form"
          onSubmit={onSubmit}
          noValidate
          aria-label="Rotate credential"
          className="grid gap-4"
        >
          {serverError && Object.keys(serverError.fieldErrors).length === 0 && (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>Could not rotate the key</AlertTitle>
              <AlertDescription>{serverError.message}</AlertDescription>
            </Alert>
          )}
          <FormField
            id="rotate-credential-key"
            label="New API key"
            description="Stored encrypted; never shown again after saving."
            errors={fieldErrors.apiKey}
          >
            <Input
              type="password"
              autoComplete="off"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </FormField>
          {current && (
            <FormField
              id="rotate-credential-overlap"
              label="Keep the old key as a fallback for (minutes)"
              description={
                overlap.trim() === "0"
                  ? "0: the old key is retired at once, with no fallback."
                  : "Up to 10080 (one week). 0 retires the old key at once."
              }
              errors={fieldErrors.overlapMinutes}
            >
              <Input inputMode="numeric" value={overlap} onChange={(e) => setOverlap(e.target.value)} />
            </FormField>
          )}
        </form>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline" disabled={rotate.isPending}>
              Cancel
            </Button>
          </DialogClose>
          <Button type="submit" form="rotate-credential-form" disabled={rotate.isPending}>
            {rotate.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
            {current ? "Rotate key" : "Save key"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
