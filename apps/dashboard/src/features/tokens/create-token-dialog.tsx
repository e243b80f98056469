/**
 * "Create token": name, role and expiry on the dashboard's form pieces with core's schema (the
 * server's rules, written once). The roles offered are those within the signed-in admin's own; the
 * server checks it again. One create per submit; on success the secret goes to the show-once dialog.
 */
import {
  CreateTokenInput,
  Role,
  roleWithin,
  type TokenWithSecret,
  tokenExpiryChoices,
} from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { Field, serverProblems, TextField, useCreateOnce, useZodForm } from "../../components/form/index.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useSession } from "../auth/session.tsx";
import { expiryLabel, roleDescriptions, roleLabels } from "./roles.ts";

const defaults: CreateTokenInput = { name: "", role: "admin", expiresInDays: 90 };

export function CreateTokenDialog({
  open,
  onOpenChange,
  onIssued,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onIssued: (issued: TokenWithSecret) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { role: myRole } = useSession();
  const roles = Role.options.filter((r) => roleWithin(r, myRole));
  const form = useZodForm(CreateTokenInput, defaults);
  const once = useCreateOnce(open);

  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: async (issued) => {
        onOpenChange(false);
        onIssued(issued);
        toast.success(`Token "${issued.token.name}" created`);
        await queryClient.invalidateQueries(trpc.tokens.pathFilter());
      },
      onError: () => once.release(),
    }),
  );
  const { general } = serverProblems(create.error, Object.keys(defaults));

  useEffect(() => {
    if (open) {
      form.reset(defaults);
      create.reset();
    }
  }, [open, form.reset, create.reset]);

  const role = form.watch("role");
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Create API token"
      description="For scripts and Terraform: send it as Authorization: Bearer. The secret is shown once; Switchyard keeps only a hash of it."
      formId="create-token-form"
      formLabel="Create API token"
      form={form}
      onSubmit={(input) => {
        if (once.claim()) create.mutate(input);
      }}
      serverError={create.error}
      pending={create.isPending}
      submitLabel="Create token"
    >
      {general && <ErrorAlert title="Could not create the token">{general.message}</ErrorAlert>}
      <TextField
        name="name"
        id="create-token-name"
        label="Name"
        autoComplete="off"
        placeholder="e.g. terraform-prod"
      />
      <Field name="role" id="create-token-role" label="Role" description={roleDescriptions[role]}>
        {({ field, control }) => (
          <Select value={field.value} onValueChange={field.onChange}>
            <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {roles.map((r) => (
                <SelectItem key={r} value={r}>
                  {roleLabels[r]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </Field>
      <Field
        name="expiresInDays"
        id="create-token-expiry"
        label="Expires after"
        description="A token always expires; create a new one before then."
      >
        {({ field, control }) => (
          <Select value={String(field.value)} onValueChange={(v) => field.onChange(Number(v))}>
            <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {tokenExpiryChoices.map((days) => (
                <SelectItem key={days} value={String(days)}>
                  {expiryLabel(days)}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </Field>
    </FormDialog>
  );
}
