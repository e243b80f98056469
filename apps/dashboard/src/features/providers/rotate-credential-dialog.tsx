/**
 * Rotate a provider's API key without downtime: the new key takes traffic at once, and the current one
 * stays as a fallback for the overlap window (a 401 on the new key falls back to it and raises an alert).
 */
import type { ProviderView, RotateProviderCredentialInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useWatch } from "react-hook-form";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { TextField } from "../../components/form/fields.tsx";
import { serverProblems } from "../../components/form/server-errors.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { RotateCredentialForm } from "./provider-forms.ts";
import { maskedKey } from "./provider-kinds.ts";

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
  const current = provider?.credentials.find((c) => c.role === "primary");
  // Without a stored key there is nothing to keep as a fallback.
  const form = useZodForm(RotateCredentialForm, { apiKey: "", overlapMinutes: current ? "60" : "0" });
  const overlap = useWatch({ control: form.control, name: "overlapMinutes" });

  const rotate = useMutation(
    trpc.providers.rotateCredential.mutationOptions({
      onSuccess: async (saved) => {
        const primary = saved.credentials.find((c) => c.role === "primary");
        toast.success(`New API key for "${saved.name}" in use`, {
          description: primary ? `Stored encrypted; it shows as ${maskedKey(primary.last4)}.` : undefined,
        });
        form.setValue("apiKey", "");
        onClose();
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );
  const { general } = serverProblems(rotate.error, ["apiKey", "overlapMinutes"]);

  function onSubmit(input: Omit<RotateProviderCredentialInput, "id">) {
    if (!provider || rotate.isPending) return;
    rotate.mutate({ ...input, id: provider.id });
  }

  return (
    <FormDialog
      open={provider !== null}
      onOpenChange={(next) => {
        if (next) return;
        form.setValue("apiKey", "");
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
      form={form}
      onSubmit={onSubmit}
      serverError={rotate.error}
      pending={rotate.isPending}
      submitLabel={current ? "Rotate key" : "Save key"}
    >
      {general && <ErrorAlert title="Could not rotate the key">{general.message}</ErrorAlert>}
      <TextField
        name="apiKey"
        id="rotate-credential-key"
        label="New API key"
        description="Stored encrypted; never shown again after saving."
        type="password"
        autoComplete="off"
      />
      {current && (
        <TextField
          name="overlapMinutes"
          id="rotate-credential-overlap"
          label="Keep the old key as a fallback for (minutes)"
          description={
            overlap.trim() === "0"
              ? "0: the old key is retired at once, with no fallback."
              : "Up to 10080 (one week). 0 retires the old key at once."
          }
          inputMode="numeric"
        />
      )}
    </FormDialog>
  );
}
