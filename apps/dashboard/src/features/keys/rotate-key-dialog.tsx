/**
 * Rotate a key's secret. The key id, limits and owner stay; a new secret is issued and the current one
 * keeps working for the grace period the admin picks (0 = it stops at once).
 */
import { defaultRotationGraceMinutes, type KeyView, RotateKeyInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { FormDialog } from "../../components/form-dialog.tsx";
import { TextField } from "../../components/text-field.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { zodFieldErrors } from "../../lib/errors.ts";
import { useFormErrors } from "../../lib/form-errors.ts";
import { formatDateTime } from "../../lib/format.ts";
import { useTRPC } from "../../lib/trpc.ts";
import type { IssuedSecret } from "./secret-dialog.tsx";

type GraceUnit = "minutes" | "hours";
const unitMinutes: Record<GraceUnit, number> = { minutes: 1, hours: 60 };

/** The grace period as typed, in minutes; null when it is not a whole number. */
export function graceMinutes(amount: string, unit: GraceUnit): number | null {
  const trimmed = amount.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  return Number(trimmed) * unitMinutes[unit];
}

export function RotateKeyDialog({
  keyView,
  onClose,
  onIssued,
}: {
  /** The key to rotate; null when closed. Render with `key={id}` so each key starts afresh. */
  keyView: KeyView | null;
  onClose: () => void;
  onIssued: (issued: IssuedSecret) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState(String(keyView?.rotation.graceMinutes ?? defaultRotationGraceMinutes));
  const [unit, setUnit] = useState<GraceUnit>("minutes");

  const rotate = useMutation(
    trpc.keys.rotate.mutationOptions({
      onSuccess: async ({ key, secret }) => {
        onClose();
        onIssued({ keyName: key.name, secret, reason: "rotated" });
        toast.success(`Key "${key.name}" rotated`);
        await queryClient.invalidateQueries(trpc.keys.pathFilter());
      },
    }),
  );
  const { fieldErrors, generalError, setClientErrors } = useFormErrors(rotate.error);

  const minutes = graceMinutes(amount, unit);

  function onSubmit() {
    if (!keyView) return;
    rotate.reset();
    if (minutes === null) {
      setClientErrors({ graceMinutes: ["Enter a whole number, or 0 to stop the old secret at once"] });
      return;
    }
    const parsed = RotateKeyInput.safeParse({ id: keyView.id, graceMinutes: minutes });
    setClientErrors(parsed.success ? {} : zodFieldErrors(parsed.error));
    if (parsed.success) rotate.mutate(parsed.data);
  }

  return (
    <FormDialog
      open={keyView !== null}
      onOpenChange={(next) => !next && onClose()}
      title={<>Rotate {keyView ? `"${keyView.name}"` : "key"}</>}
      description="A new secret is issued for the same key: its id, owner, limits and usage history stay. The new secret is shown once."
      formId="rotate-key-form"
      formLabel="Rotate key"
      onSubmit={onSubmit}
      pending={rotate.isPending}
      submitLabel="Rotate secret"
    >
      {generalError && <ErrorAlert title="Could not rotate the key">{generalError.message}</ErrorAlert>}
      <div className="grid grid-cols-[1fr_9rem] items-start gap-2">
        <TextField
          id="rotate-grace"
          label="Old secret stays valid for"
          errors={fieldErrors.graceMinutes}
          description={
            minutes === 0 ? (
              <span className="font-medium text-destructive">
                0: the old secret stops working immediately. Every application still using it is refused.
              </span>
            ) : minutes !== null ? (
              `Until about ${formatDateTime(new Date(Date.now() + minutes * 60_000))}, so applications can switch to the new secret. 0 stops it immediately.`
            ) : undefined
          }
          inputMode="numeric"
          value={amount}
          onValueChange={setAmount}
        />
        <div className="grid gap-2">
          <span className="text-sm leading-none font-medium" aria-hidden>
            &nbsp;
          </span>
          <Select value={unit} onValueChange={(v) => setUnit(v as GraceUnit)}>
            <SelectTrigger aria-label="Grace period unit">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="minutes">minutes</SelectItem>
              <SelectItem value="hours">hours</SelectItem>
            </SelectContent>
          </Select>
        </div>
      </div>
    </FormDialog>
  );
}
