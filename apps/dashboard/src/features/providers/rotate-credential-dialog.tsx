/**
 * Rotate a provider's API key without downtime: the new key takes traffic at once, and the current one
 * stays as a fallback for the overlap window (a 401 on the new key falls back to it and raises an alert).
 */
import { type ProviderView, RotateProviderCredentialInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { FormDialog } from "../../components/form-dialog.tsx";
import { TextField } from "../../components/text-field.tsx";
import { zodFieldErrors } from "../../lib/errors.ts";
import { useFormErrors } from "../../lib/form-errors.ts";
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
  const { fieldErrors, generalError, setClientErrors } = useFormErrors(rotate.error);

  function onSubmit() {
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

  return (
    <FormDialog
      open={provider !== null}
      onOpenChange={(next) => {
        if (next) return;
        setApiKey("");
        onClose();
      }}
      title={
        <>
          {current ? "Rotate API key" : "Add API key"} for {provider ? `"${provider.name}"` : "provider"}
        </>
      }
      description={
        current
          ? `The new key takes traffic at once. The current key (${maskedKey(current.last4)}) stays as a fallback during the overlap: if the provider refuses the new key, requests fall back to the old one and an alert is raised. Revoke the old key at the provider only after the overlap.`
          : "The provider has no API key yet; this one takes traffic at once."
      }
      formId="rotate-credential-form"
      formLabel="Rotate credential"
      onSubmit={onSubmit}
      pending={rotate.isPending}
      submitLabel={current ? "Rotate key" : "Save key"}
    >
      {generalError && <ErrorAlert title="Could not rotate the key">{generalError.message}</ErrorAlert>}
      <TextField
        id="rotate-credential-key"
        label="New API key"
        description="Stored encrypted; never shown again after saving."
        errors={fieldErrors.apiKey}
        type="password"
        autoComplete="off"
        value={apiKey}
        onValueChange={setApiKey}
      />
      {current && (
        <TextField
          id="rotate-credential-overlap"
          label="Keep the old key as a fallback for (minutes)"
          description={
            overlap.trim() === "0"
              ? "0: the old key is retired at once, with no fallback."
              : "Up to 10080 (one week). 0 retires the old key at once."
          }
          errors={fieldErrors.overlapMinutes}
          inputMode="numeric"
          value={overlap}
          onValueChange={setOverlap}
        />
      )}
    </FormDialog>
  );
}
