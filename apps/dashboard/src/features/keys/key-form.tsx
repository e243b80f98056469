/**
 * The fields of a key, shared by the create and edit dialogs: name, owner, allowed models, limits,
 * expiry, tags, metadata and the scheduled-rotation policy. Errors show under each field.
 */
import type { KeyFormOptions } from "@switchyard/core";
import { PlusIcon, XIcon } from "lucide-react";
import { TextField } from "../../components/text-field.tsx";
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
import { Switch } from "../../components/ui/switch.tsx";
import { fieldBinder } from "../../lib/bind-field.ts";
import { cn } from "../../lib/utils.ts";
import type { FieldErrors, KeyFormValues } from "./key-form-values.ts";

type Props = {
  idPrefix: string;
  values: KeyFormValues;
  onChange: (values: KeyFormValues) => void;
  errors: FieldErrors;
  options: KeyFormOptions | undefined;
  /** Set when editing: the owner is fixed once a key exists, so it is shown, not chosen. */
  fixedOwner?: string | undefined;
};

export function KeyFormFields({ idPrefix, values, onChange, errors, options, fixedOwner }: Props) {
  const id = (field: string) => `${idPrefix}-${field}`;
  function set<K extends keyof KeyFormValues>(key: K, value: KeyFormValues[K]) {
    onChange({ ...values, [key]: value });
  }
  const bind = fieldBinder(values, set, errors);
  function toggleModel(model: string, on: boolean) {
    set(
      "allowedModels",
      on ? [...values.allowedModels, model] : values.allowedModels.filter((m) => m !== model),
    );
  }
  // Models the key already names stay visible even if they are no longer configured.
  const models = [...new Set([...(options?.models ?? []), ...values.allowedModels])].sort();

  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TextField
        id={id("name")}
        label="Name"
        className="sm:col-span-2"
        {...bind("name")}
        placeholder="checkout-service production"
        autoComplete="off"
      />

      {fixedOwner !== undefined ? (
        <FormField id={id("owner")} label="Owner" description="Fixed when the key was created.">
          <Input value={fixedOwner} readOnly disabled />
        </FormField>
      ) : (
        <FormField id={id("owner")} label="Owner" errors={errors.owner}>
          {(control) => (
            <Select value={values.owner} onValueChange={(v) => set("owner", v)} disabled={!options}>
              <SelectTrigger {...control}>
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
        </FormField>
      )}

      <TextField
        id={id("expires")}
        label="Expires"
        description="Leave empty for a key that never expires."
        type="datetime-local"
        {...bind("expiresAt")}
      />

      <fieldset
        className="grid gap-2 sm:col-span-2"
        aria-describedby={`${id("models")}-description${errors.allowedModels ? ` ${id("models")}-error` : ""}`}
      >
        <legend className={cn("mb-2 text-sm font-medium", errors.allowedModels && "text-destructive")}>
          Allowed models
        </legend>
        {models.length === 0 ? (
          <p className="text-sm text-muted-foreground">
            {options ? "No models are configured yet." : "Loading…"}
          </p>
        ) : (
          <div className="grid max-h-40 gap-2 overflow-y-auto rounded-md border p-3 sm:grid-cols-2">
            {models.map((model) => {
              const boxId = `${id("model")}-${model}`;
              return (
                <div key={model} className="flex items-center gap-2">
                  <Checkbox
                    id={boxId}
                    checked={values.allowedModels.includes(model)}
                    onCheckedChange={(checked) => toggleModel(model, checked === true)}
                  />
                  <Label htmlFor={boxId} className="font-mono text-xs font-normal">
                    {model}
                  </Label>
                </div>
              );
            })}
          </div>
        )}
        <p id={`${id("models")}-description`} className="text-sm text-muted-foreground">
          {values.allowedModels.length === 0
            ? "None selected: the key may use every model."
            : `The key may use ${values.allowedModels.length} model${values.allowedModels.length === 1 ? "" : "s"}.`}
        </p>
        {errors.allowedModels && (
          <p id={`${id("models")}-error`} className="text-sm text-destructive">
            {errors.allowedModels.join(" ")}
          </p>
        )}
      </fieldset>

      <TextField
        id={id("rpm")}
        label="Requests per minute"
        description="Empty: no limit."
        inputMode="numeric"
        {...bind("rpm")}
      />
      <TextField
        id={id("tpm")}
        label="Tokens per minute"
        description="Empty: no limit."
        inputMode="numeric"
        {...bind("tpm")}
      />

      <TextField
        id={id("tags")}
        label="Tags"
        description="Separated by commas."
        className="sm:col-span-2"
        {...bind("tags")}
        placeholder="prod, checkout"
      />

      <MetadataRows idPrefix={id("metadata")} values={values} onChange={onChange} errors={errors.metadata} />

      <div className="grid gap-4 rounded-md border p-4 sm:col-span-2 sm:grid-cols-2">
        <div className="flex items-center gap-3 sm:col-span-2">
          <Switch
            id={id("rotation")}
            checked={values.rotationEnabled}
            onCheckedChange={(on) => set("rotationEnabled", on)}
          />
          <Label htmlFor={id("rotation")}>Rotate the secret automatically</Label>
        </div>
        {values.rotationEnabled && (
          <>
            <TextField
              id={id("rotation-days")}
              label="Every (days)"
              inputMode="numeric"
              {...bind("rotationDays")}
            />
            <TextField
              id={id("rotation-grace")}
              label="Old secret stays valid for (minutes)"
              description="0: it stops working at once."
              inputMode="numeric"
              {...bind("rotationGraceMinutes")}
            />
            <TextField
              id={id("rotation-webhook")}
              label="Notify webhook URL"
              description="Optional. The owner is also told in the dashboard."
              className="sm:col-span-2"
              type="url"
              {...bind("notifyWebhookUrl")}
              placeholder="https://hooks.example.com/switchyard"
            />
          </>
        )}
      </div>
    </div>
  );
}

function MetadataRows({
  idPrefix,
  values,
  onChange,
  errors,
}: {
  idPrefix: string;
  values: KeyFormValues;
  onChange: (values: KeyFormValues) => void;
  errors: readonly string[] | undefined;
}) {
  const rows = values.metadata;
  function setRow(index: number, row: { key: string; value: string }) {
    onChange({ ...values, metadata: rows.map((r, i) => (i === index ? row : r)) });
  }
  return (
    <fieldset
      className="grid gap-2 sm:col-span-2"
      aria-describedby={errors ? `${idPrefix}-error` : undefined}
    >
      <legend className={cn("mb-2 text-sm font-medium", errors && "text-destructive")}>Metadata</legend>
      {rows.map((row, index) => (
        <div key={index} className="flex gap-2">
          <Input
            aria-label={`Metadata key ${index + 1}`}
            placeholder="key"
            value={row.key}
            onChange={(e) => setRow(index, { ...row, key: e.target.value })}
          />
          <Input
            aria-label={`Metadata value ${index + 1}`}
            placeholder="value"
            value={row.value}
            onChange={(e) => setRow(index, { ...row, value: e.target.value })}
          />
          <Button
            variant="ghost"
            size="icon"
            aria-label={`Remove metadata row ${index + 1}`}
            onClick={() => onChange({ ...values, metadata: rows.filter((_, i) => i !== index) })}
          >
            <XIcon aria-hidden />
          </Button>
        </div>
      ))}
      <div>
        <Button
          variant="outline"
          size="sm"
          onClick={() => onChange({ ...values, metadata: [...rows, { key: "", value: "" }] })}
        >
          <PlusIcon aria-hidden />
          Add metadata
        </Button>
      </div>
      {errors && (
        <p id={`${idPrefix}-error`} className="text-sm text-destructive">
          {errors.join(" ")}
        </p>
      )}
    </fieldset>
  );
}
