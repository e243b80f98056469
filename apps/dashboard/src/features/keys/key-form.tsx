/**
 * The fields of a key, shared by the create and edit dialogs: name, owner, allowed models, limits,
 * expiry, tags, metadata and the scheduled-rotation policy. Rendered inside a `Form` holding
 * `KeyFormValues`; errors show under each field.
 */
import type { KeyFormOptions } from "@switchyard/core";
import { PlusIcon, XIcon } from "lucide-react";
import { useController, useFieldArray, useFormContext, useWatch } from "react-hook-form";
import { Field, TextField, ToggleField, useFieldError } from "../../components/form/fields.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Checkbox } from "../../components/ui/checkbox.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import { Input } from "../../components/ui/input.tsx";
import { Label } from "../../components/ui/label.tsx";
import {
  Select,
  SelectContent,
  SelectGroup,
  SelectItem,
  SelectLabel,
  SelectSeparator,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { cn } from "../../lib/utils.ts";
import { type KeyFormValues, webhookDescription } from "./key-form-values.ts";

type Props = {
  idPrefix: string;
  options: KeyFormOptions | undefined;
  /** Set when editing: the owner is fixed once a key exists, so it is shown, not chosen. */
  fixedOwner?: string | undefined;
};

export function KeyFormFields({ idPrefix, options, fixedOwner }: Props) {
  const id = (field: string) => `${idPrefix}-${field}`;
  const rotationEnabled = useWatch<KeyFormValues, "rotationEnabled">({ name: "rotationEnabled" });

  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TextField
        name="name"
        id={id("name")}
        label="Name"
        className="sm:col-span-2"
        placeholder="checkout-service production"
        autoComplete="off"
      />

      {fixedOwner !== undefined ? (
        <FormField id={id("owner")} label="Owner" description="Fixed when the key was created.">
          <Input value={fixedOwner} readOnly disabled />
        </FormField>
      ) : (
        <Field name="owner" id={id("owner")} label="Owner">
          {({ field, control }) => (
            <Select value={field.value} onValueChange={field.onChange} disabled={!options}>
              <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
                <SelectValue placeholder={options ? "Choose a user or team" : "Loading…"} />
              </SelectTrigger>
              <SelectContent>
                <SelectGroup>
                  <SelectLabel>Teams</SelectLabel>
                  {options?.teams.map((t) => (
                    <SelectItem key={t.id} value={`team:${t.id}`}>
                      {t.name}
                    </SelectItem>
                  ))}
                </SelectGroup>
                <SelectSeparator />
                <SelectGroup>
                  <SelectLabel>Users</SelectLabel>
                  {options?.users.map((u) => (
                    <SelectItem key={u.id} value={`user:${u.id}`}>
                      {u.name} <span className="text-muted-foreground">{u.email}</span>
                    </SelectItem>
                  ))}
                </SelectGroup>
              </SelectContent>
            </Select>
          )}
        </Field>
      )}

      <TextField
        name="expiresAt"
        id={id("expires")}
        label="Expires"
        description="Leave empty for a key that never expires."
        type="datetime-local"
      />

      <AllowedModels idPrefix={id("models")} options={options} />

      <TextField
        name="rpm"
        id={id("rpm")}
        label="Requests per minute"
        description="Empty: no limit."
        inputMode="numeric"
      />
      <TextField
        name="tpm"
        id={id("tpm")}
        label="Tokens per minute"
        description="Empty: no limit."
        inputMode="numeric"
      />

      <TextField
        name="tags"
        id={id("tags")}
        label="Tags"
        description="Separated by commas."
        className="sm:col-span-2"
        placeholder="prod, checkout"
      />

      <MetadataRows idPrefix={id("metadata")} />

      <div className="grid gap-4 rounded-md border p-4 sm:col-span-2 sm:grid-cols-2">
        <ToggleField
          name="rotationEnabled"
          id={id("rotation")}
          kind="switch"
          label="Rotate the secret automatically"
          className="sm:col-span-2"
        />
        {rotationEnabled && (
          <>
            <TextField
              name="rotationDays"
              id={id("rotation-days")}
              label="Every (days)"
              inputMode="numeric"
            />
            <TextField
              name="rotationGraceMinutes"
              id={id("rotation-grace")}
              label="Old secret stays valid for (minutes)"
              description="0: it stops working at once."
              inputMode="numeric"
            />
            <TextField
              name="notifyWebhookUrl"
              id={id("rotation-webhook")}
              label="Notify webhook URL"
              description={webhookDescription}
              className="sm:col-span-2"
              type="url"
              placeholder="https://hooks.example.com/switchyard"
            />
          </>
        )}
      </div>
    </div>
  );
}

/** Checkboxes for the configured models; none ticked means every model. */
function AllowedModels({ idPrefix, options }: { idPrefix: string; options: KeyFormOptions | undefined }) {
  const { field } = useController<KeyFormValues, "allowedModels">({ name: "allowedModels" });
  const error = useFieldError("allowedModels");
  const selected = field.value;
  // Models the key already names stay visible even if they are no longer configured.
  const models = [...new Set([...(options?.models ?? []), ...selected])].sort();
  function toggle(model: string, on: boolean) {
    field.onChange(on ? [...selected, model] : selected.filter((m) => m !== model));
  }
  return (
    <fieldset
      className="grid gap-2 sm:col-span-2"
      aria-invalid={error ? true : undefined}
      aria-describedby={`${idPrefix}-description${error ? ` ${idPrefix}-error` : ""}`}
    >
      <legend className={cn("mb-2 text-sm font-medium", error && "text-destructive")}>Allowed models</legend>
      {models.length === 0 ? (
        <p className="text-sm text-muted-foreground">
          {options ? "No models are configured yet." : "Loading…"}
        </p>
      ) : (
        <div className="grid max-h-40 gap-2 overflow-y-auto rounded-md border p-3 sm:grid-cols-2">
          {models.map((model, index) => {
            const boxId = `${idPrefix}-${model}`;
            return (
              <div key={model} className="flex min-w-0 items-center gap-2">
                <Checkbox
                  id={boxId}
                  ref={index === 0 ? field.ref : undefined}
                  checked={selected.includes(model)}
                  onCheckedChange={(checked) => toggle(model, checked === true)}
                />
                <Label htmlFor={boxId} className="min-w-0 font-mono text-xs font-normal break-all">
                  {model}
                </Label>
              </div>
            );
          })}
        </div>
      )}
      <p id={`${idPrefix}-description`} className="text-sm text-muted-foreground">
        {selected.length === 0
          ? "None selected: the key may use every model."
          : `The key may use ${selected.length} model${selected.length === 1 ? "" : "s"}.`}
      </p>
      {error && (
        <p id={`${idPrefix}-error`} className="text-sm text-destructive">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function MetadataRows({ idPrefix }: { idPrefix: string }) {
  const { register } = useFormContext<KeyFormValues>();
  const rows = useFieldArray<KeyFormValues, "metadata">({ name: "metadata" });
  const error = useFieldError("metadata");
  return (
    <fieldset
      className="grid gap-2 sm:col-span-2"
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${idPrefix}-error` : undefined}
    >
      <legend className={cn("mb-2 text-sm font-medium", error && "text-destructive")}>Metadata</legend>
      {rows.fields.map((row, index) => (
        <div key={row.id} className="flex gap-2">
          <Input
            aria-label={`Metadata key ${index + 1}`}
            placeholder="key"
            {...register(`metadata.${index}.key`)}
          />
          <Input
            aria-label={`Metadata value ${index + 1}`}
            placeholder="value"
            {...register(`metadata.${index}.value`)}
          />
          <Button
            variant="ghost"
            size="icon"
            aria-label={`Remove metadata row ${index + 1}`}
            onClick={() => rows.remove(index)}
          >
            <XIcon aria-hidden />
          </Button>
        </div>
      ))}
      <div>
        <Button variant="outline" size="sm" onClick={() => rows.append({ key: "", value: "" })}>
          <PlusIcon aria-hidden />
          Add metadata
        </Button>
      </div>
      {error && (
        <p id={`${idPrefix}-error`} className="text-sm text-destructive">
          {error}
        </p>
      )}
    </fieldset>
  );
}
