/** Change your own password. Rules come from core's `ChangePasswordInput`; the server re-checks them. */
import type { ChangePasswordInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { TextField } from "../../components/form/fields.tsx";
import { Form } from "../../components/form/form.tsx";
import { serverProblems } from "../../components/form/server-errors.ts";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../../components/ui/card.tsx";
import { PendingButton } from "../../components/ui/pending-button.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { ChangePasswordForm as ChangePasswordSchema, emptyChangePassword } from "./change-password-schema.ts";

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(ChangePasswordSchema, emptyChangePassword);

  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        form.reset(emptyChangePassword);
        toast.success("Password changed", { description: "Use the new password the next time you sign in." });
        await queryClient.invalidateQueries(trpc.auth.pathFilter());
      },
    }),
  );
  const { general } = serverProblems(change.error, Object.keys(emptyChangePassword));

  function onSubmit(input: ChangePasswordInput) {
    if (!change.isPending) change.mutate(input);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Change password</CardTitle>
        <CardDescription>Enter your current password, then the new one twice.</CardDescription>
      </CardHeader>
      <CardContent>
        <Form
          form={form}
          onSubmit={onSubmit}
          serverError={change.error}
          className="grid max-w-md gap-4"
          aria-label="Change password"
        >
          {general && <ErrorAlert title="Could not change the password">{general.message}</ErrorAlert>}
          <TextField
            name="currentPassword"
            id="current-password"
            label="Current password"
            type="password"
            autoComplete="current-password"
          />
          <TextField
            name="newPassword"
            id="new-password"
            label="New password"
            description="At least 12 characters."
            type="password"
            autoComplete="new-password"
          />
          <TextField
            name="confirmPassword"
            id="confirm-password"
            label="Confirm new password"
            type="password"
            autoComplete="new-password"
          />
          <div>
            <PendingButton type="submit" pending={change.isPending}>
              Change password
            </PendingButton>
          </div>
        </Form>
      </CardContent>
    </Card>
  );
}
