/**
 * Add a provider. The API key goes in a password field; once saved it is stored encrypted and never
 * shown again: lists show only its last 4 characters.
 */
import { CreateProviderInput, type ProviderKind } from "@switchyard/core";
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
import { useTRPC } from "../../lib/trpc.ts";
import { baseUrlPlaceholder, maskedKey, providerKinds } from "./provider-kinds.ts";

type Values = { name: string; kind: ProviderKind; baseUrl: string; apiKey: string };
const empty: Values = { name: "", kind: "openai", baseUrl: "", apiKey: "" };

export function CreateProviderDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(empty);
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});

  const create = useMutation(
    trpc.providers.create.mutationOptions({
      onSuccess: async (provider) => {
        const primary = provider.credentials.find((c) => c.role === "primary");
        toast.success(`Provider "${provider.name}" added`, {
          description: primary
            ? `The API key is stored encrypted; it shows as ${maskedKey(primary.last4)} from now on.`
            : "No API key stored: add one later with Rotate credential if the provider needs it.",
        });
        setValues(empty);
        onOpenChange(false);
        await queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );

  function set<K extends keyof Values>(key: K, value: Values[K]) {
    setValues((v) => ({ ...v, [key]: value }));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.reset();
    const parsed = CreateProviderInput.safeParse({
      name: values.name,
      kind: values.kind,
      baseUrl: values.baseUrl,
      apiKey: values.apiKey.trim() === "" ? undefined : values.apiKey,
    });
    setClientErrors(parsed.success ? {} : zodFieldErrors(parsed.error));
    if (parsed.success) create.mutate(parsed.data);
  }

  function changeOpen(next: boolean) {
    if (create.isPending) return;
    if (!next) {
      create.reset();
      setClientErrors({});
      // The key must not linger in memory once the dialog is dismissed.
      setValues((v) => ({ ...v, apiKey: "" }));
    }
    onOpenChange(next);
  }

  const serverError = create.error ? describeError(create.error) : undefined;
  const fieldErrors = { ...serverError?.fieldErrors, ...clientErrors };
  const hint = providerKinds.find((k) => k.kind === values.kind)?.baseUrlHint;

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Add provider</DialogTitle>
          <DialogDescription>
            An upstream that serves models. Its API key is encrypted at rest and never shown again after you
            save.
          </DialogDescription>
        </DialogHeader>
        <form
          id="create-provider-form"
          onSubmit={onSubmit}
          noValidate
          aria-label="Add provider"
          className="grid gap-4"
        >
          {serverError && Object.keys(serverError.fieldErrors).length === 0 && (
            <Alert variant="destructive">
              <TriangleAlertIcon aria-hidden />
              <AlertTitle>Could not add the provider</AlertTitle>
              <AlertDescription>{serverError.message}</AlertDescription>
            </Alert>
          )}
          <FormField id="provider-name" label="Name" errors={fieldErrors.name}>
            <Input
              value={values.name}
              onChange={(e) => set("name", e.target.value)}
              placeholder="openai-prod"
              autoComplete="off"
            />
          </FormField>
          <FormField id="provider-kind" label="Kind" errors={fieldErrors.kind}>
            {(control) => (
              <Select value={values.kind} onValueChange={(v) => set("kind", v as ProviderKind)}>
                <SelectTrigger {...control}>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {providerKinds.map((k) => (
                    <SelectItem key={k.kind} value={k.kind}>
                      {k.label}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          </FormField>
          <FormField id="provider-base-url" label="Base URL" description={hint} errors={fieldErrors.baseUrl}>
            <Input
              type="url"
              value={values.baseUrl}
              onChange={(e) => set("baseUrl", e.target.value)}
              placeholder={baseUrlPlaceholder(values.kind)}
            />
          </FormField>
          <FormField
            id="provider-api-key"
            label="API key"
            description="Optional for providers that need none (a local vLLM). Never shown again after saving."
            errors={fieldErrors.apiKey}
          >
            <Input
              type="password"
              autoComplete="off"
              value={values.apiKey}
              onChange={(e) => set("apiKey", e.target.value)}
            />
          </FormField>
        </form>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline" disabled={create.isPending}>
              Cancel
            </Button>
          </DialogClose>
          <Button type="submit" form="create-provider-form" disabled={create.isPending}>
            {create.isPending && <Loader2Icon className="animate-spin" aria-hidden />}
            Add provider
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
