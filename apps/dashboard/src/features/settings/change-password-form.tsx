/** Change your own password. Rules come from core's `ChangePasswordInput`; the server re-checks them. */
import { ChangePasswordInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { TextField } from "../../components/text-field.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../../components/ui/card.tsx";
import { PendingButton } from "../../components/ui/pending-button.tsx";
import { fieldBinder } from "../../lib/bind-field.ts";
import { zodFieldErrors } from "../../lib/errors.ts";
import { useFormErrors } from "../../lib/form-errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

const empty = { currentPassword: "", newPassword: "", confirmPassword: "" };

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(empty);

  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        setValues(empty);
        toast.success("Password changed", { description: "Use the new password the next time you sign in." });
        await queryClient.invalidateQueries(trpc.auth.pathFilter());
      },
    }),
  );
  const { fieldErrors, generalError, setClientErrors } = useFormErrors(change.error);

  function set(key: keyof typeof empty, value: string) {
    setValues((v) => ({ ...v, [key]: value }));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    change.reset();
    const parsed = ChangePasswordInput.safeParse({
      currentPassword: values.currentPassword,
      newPassword: values.newPassword,
    });
    const errors = parsed.success ? {} : zodFieldErrors(parsed.error);
    if (values.confirmPassword !== values.newPassword && !errors.newPassword) {
      errors.confirmPassword = ["The passwords do not match"];
    }
    setClientErrors(errors);
    if (parsed.success && Object.keys(errors).length === 0) change.mutate(parsed.data);
  }

  const bind = fieldBinder(values, set, fieldErrors);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Change password</CardTitle>
        <CardDescription>Enter your current password, then the new one twice.</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid max-w-md gap-4" onSubmit={onSubmit} noValidate aria-label="Change password">
          {generalError && (
            <ErrorAlert title="Could not change the password">{generalError.message}</ErrorAlert>
          )}
          <TextField
            id="current-password"
            label="Current password"
            type="password"
            autoComplete="current-password"
            {...bind("currentPassword")}
          />
          <TextField
            id="new-password"
            label="New password"
            description="At least 12 characters."
            type="password"
            autoComplete="new-password"
            {...bind("newPassword")}
          />
          <TextField
            id="confirm-password"
            label="Confirm new password"
            type="password"
            autoComplete="new-password"
            {...bind("confirmPassword")}
          />
          <div>
            <PendingButton type="submit" pending={change.isPending}>
              Change password
            </PendingButton>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
