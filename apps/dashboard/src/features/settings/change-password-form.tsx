/** Change your own password. Rules come from core's `ChangePasswordInput`; the server re-checks them. */
import { ChangePasswordInput } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon, TriangleAlertIcon } from "lucide-react";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { Alert, AlertDescription, AlertTitle } from "../../components/ui/alert.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../../components/ui/card.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import { Input } from "../../components/ui/input.tsx";
import { describeError, zodFieldErrors } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

const empty = { currentPassword: "", newPassword: "", confirmPassword: "" };

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(empty);
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});

  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        setValues(empty);
        toast.success("Password changed", { description: "Use the new password the next time you sign in." });
        await queryClient.invalidateQueries(trpc.auth.pathFilter());
      },
    }),
  );

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

  const serverError = change.error ? describeError(change.error) : undefined;
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };
  const showServerAlert = serverError && Object.keys(serverError.fieldErrors).length === 0;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Change password</CardTitle>
        <CardDescription>Enter your current password, then the new one twice.</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid max-w-md gap-4" onSubmit={onSubmit} noValidate aria-label="Change password">
          {showServerAlert && (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>Could not change the password</AlertTitle>
              <AlertDescription>{serverError.message}</AlertDescription>
            </Alert>
          )}
          <FormField id="current-password" label="Current password" errors={fieldErrors.currentPassword}>
            <Input
              type="password"
              autoComplete="current-password"
              value={values.currentPassword}
              onChange={(e) => set("currentPassword", e.target.value)}
            />
          </FormField>
          <FormField
            id="new-password"
            label="New password"
            description="At least 12 characters."
            errors={fieldErrors.newPassword}
          >
            <Input
              type="password"
              autoComplete="new-password"
              value={values.newPassword}
              onChange={(e) => set("newPassword", e.target.value)}
            />
          </FormField>
          <FormField id="confirm-password" label="Confirm new password" errors={fieldErrors.confirmPassword}>
            <Input
              type="password"
              autoComplete="new-password"
              value={values.confirmPassword}
              onChange={(e) => set("confirmPassword", e.target.value)}
            />
          </FormField>
          <div>
            <Button type="submit" disabled={change.isPending}>
              {change.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
              Change password
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
