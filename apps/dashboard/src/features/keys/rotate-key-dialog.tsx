/**
 * Rotate a key's secret. The key id, limits and owner stay; a new secret is issued and the current one
 * keeps working for the grace period the admin picks (0 = it stops at once).
 */
import { defaultRotationGraceMinutes, type KeyView, maxRotationGraceMinutes } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useWatch } from "react-hook-form";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { Field } from "../../components/form/fields.tsx";
import { serverProblems } from "../../components/form/server-errors.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { Input } from "../../components/ui/input.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { type GraceUnit, graceMinutes, graceUnits, RotateKeyForm } from "./rotate-key-form.ts";
import type { IssuedSecret } from "./secret-dialog.tsx";

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
  const form = useZodForm(RotateKeyForm, {
    graceMinutes: String(keyView?.rotation.graceMinutes ?? defaultRotationGraceMinutes),
    unit: "minutes",
  });
  const [amount, unit] = useWatch({ control: form.control, name: ["graceMinutes", "unit"] });
  const minutes = graceMinutes(amount, unit);

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
  const { general } = serverProblems(rotate.error, ["graceMinutes"]);

  function onSubmit(input: { graceMinutes: number }) {
    if (!keyView || rotate.isPending) return;
    rotate.mutate({ id: keyView.id, graceMinutes: input.graceMinutes });
  }

  function changeUnit(next: GraceUnit) {
    form.setValue("unit", next);
    // An error already shown names its limit in the unit: say it again in the new one.
    if (form.formState.isSubmitted) void form.trigger("graceMinutes");
  }

  return (
    <FormDialog
      open={keyView !== null}
      onOpenChange={(next) => !next && onClose()}
      title={<>Rotate {keyView ? `"${keyView.name}"` : "key"}</>}
      description="A new secret is issued for the same key: its id, owner, limits and usage history stay. The new secret is shown once."
      formId="rotate-key-form"
      formLabel="Rotate key"
      form={form}
      onSubmit={onSubmit}
      serverError={rotate.error}
      pending={rotate.isPending}
      submitLabel="Rotate secret"
    >
      {general && <ErrorAlert title="Could not rotate the key">{general.message}</ErrorAlert>}
      <Field
        name="graceMinutes"
        id="rotate-grace"
        label="Old secret stays valid for"
        description={
          minutes === 0 ? (
            <span className="font-medium text-destructive">
              0: the old secret stops working immediately. Every application still using it is refused.
            </span>
          ) : minutes !== null && minutes <= maxRotationGraceMinutes ? (
            `Until about ${formatDateTime(new Date(Date.now() + minutes * 60_000))}, so applications can switch to the new secret. 0 stops it immediately.`
          ) : undefined
        }
      >
        {({ field, control }) => (
          // The unit sits beside the number, under the one label.
          <div className="grid grid-cols-[1fr_9rem] gap-2">
            <Input
              {...control}
              ref={field.ref}
              name={field.name}
              value={field.value}
              onChange={field.onChange}
              onBlur={field.onBlur}
              inputMode="numeric"
            />
            <Select value={unit} onValueChange={(v) => changeUnit(v as GraceUnit)}>
              <SelectTrigger aria-label="Grace period unit">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {graceUnits.map((u) => (
                  <SelectItem key={u} value={u}>
                    {u}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
        )}
      </Field>
    </FormDialog>
  );
}
