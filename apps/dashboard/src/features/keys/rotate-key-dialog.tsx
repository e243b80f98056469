/**
 * Rotate a key's secret. The key id, limits and owner stay; a new secret is issued and the current one
 * keeps working for the grace period the admin picks (0 = it stops at once).
 */
import { defaultRotationGraceMinutes, type KeyView, RotateKeyInput } from "@switchyard/core";
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
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { describeError, zodFieldErrors } from "../../lib/errors.ts";
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
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});

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

  const minutes = graceMinutes(amount, unit);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
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

  const serverError = rotate.error ? describeError(rotate.error) : undefined;
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };

  return (
    <Dialog open={keyView !== null} onOpenChange={(next) => !next && !rotate.isPending && onClose()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Rotate {keyView ? `"${keyView.name}"` : "key"}</DialogTitle>
          <DialogDescription>
            A new secret is issued for the same key: its id, owner, limits and usage history stay. The new
            secret is shown once.
          </DialogDescription>
        </DialogHeader>
        <form
          id="rotate-key-form"
          onSubmit={onSubmit}
          noValidate
          aria-label="Rotate key"
          className="grid gap-4"
        >
          {serverError && Object.keys(serverError.fieldErrors).length === 0 && (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>Could not rotate the key</AlertTitle>
              <AlertDescription>{serverError.message}</AlertDescription>
            </Alert>
          )}
          <div className="grid grid-cols-[1fr_9rem] items-start gap-2">
            <FormField
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
            >
              <Input inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} />
            </FormField>
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
        </form>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline" disabled={rotate.isPending}>
              Cancel
            </Button>
          </DialogClose>
          <Button type="submit" form="rotate-key-form" disabled={rotate.isPending}>
            {rotate.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
            Rotate secret
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
