/**
 * "Create token": name, role and expiry on react-hook-form with core's schema (the server's rules,
 * written once). The roles offered are those within the signed-in admin's own; the server checks it
 * again. On success the secret goes to the show-once dialog.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import {
  CreateTokenInput,
  Role,
  roleWithin,
  type TokenWithSecret,
  tokenExpiryChoices,
} from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Controller, useForm } from "react-hook-form";
import { toast } from "sonner";
import { ErrorAlert } from "../../components/error-alert.tsx";
import { FormDialog } from "../../components/form-dialog.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import { Input } from "../../components/ui/input.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { describeError } from "../../lib/errors.ts";
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
  const form = useForm<CreateTokenInput>({
    resolver: zodResolver(CreateTokenInput),
    defaultValues: defaults,
  });
  const { errors } = form.formState;

  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: async (issued) => {
        onOpenChange(false);
        onIssued(issued);
        toast.success(`Token "${issued.token.name}" created`);
        await queryClient.invalidateQueries(trpc.tokens.pathFilter());
      },
      onError: (error) => {
        // The server's field errors go under their fields, like the client's own.
        const fields = Object.entries(describeError(error).fieldErrors);
        fields.forEach(([field, messages], i) => {
          if (field in defaults) {
            form.setError(
              field as keyof CreateTokenInput,
              { message: messages.join(" ") },
              { shouldFocus: i === 0 },
            );
          }
        });
      },
    }),
  );
  const serverError = create.error ? describeError(create.error) : undefined;
  const generalError =
    serverError && !Object.keys(serverError.fieldErrors).some((f) => f in defaults) ? serverError : undefined;

  useEffect(() => {
    if (open) {
      form.reset(defaults);
      create.reset();
    }
  }, [open, form.reset, create.reset]);

  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Create API token"
      description="For scripts and Terraform: send it as Authorization: Bearer. The secret is shown once; Switchyard keeps only a hash of it."
      formId="create-token-form"
      formLabel="Create API token"
      onSubmit={form.handleSubmit((input) => {
        if (!create.isPending) create.mutate(input);
      })}
      pending={create.isPending}
      submitLabel="Create token"
    >
      {generalError && <ErrorAlert title="Could not create the token">{generalError.message}</ErrorAlert>}
      <FormField
        id="create-token-name"
        label="Name"
        errors={errors.name?.message ? [errors.name.message] : undefined}
      >
        <Input autoComplete="off" placeholder="e.g. terraform-prod" {...form.register("name")} />
      </FormField>
      <Controller
        control={form.control}
        name="role"
        render={({ field }) => (
          <FormField
            id="create-token-role"
            label="Role"
            description={roleDescriptions[field.value]}
            errors={errors.role?.message ? [errors.role.message] : undefined}
          >
            {(control) => (
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
          </FormField>
        )}
      />
      <Controller
        control={form.control}
        name="expiresInDays"
        render={({ field }) => (
          <FormField
            id="create-token-expiry"
            label="Expires after"
            description="A token always expires; create a new one before then."
            errors={errors.expiresInDays?.message ? [errors.expiresInDays.message] : undefined}
          >
            {(control) => (
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
          </FormField>
        )}
      />
    </FormDialog>
  );
}
