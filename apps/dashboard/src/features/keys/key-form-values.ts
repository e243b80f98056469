/**
 * The key form's state as typed (strings, rows) and its conversion to the control plane's inputs.
 * Only what a text box cannot express is checked here (a number that is not one, a repeated metadata
 * key); the field rules themselves are core's `CreateKeyInput`/`UpdateKeyInput`, the server's own.
 */
import {
  CreateKeyInput,
  defaultRotationGraceMinutes,
  type KeyView,
  scheduledRotationNeedsWebhook,
  UpdateKeyInput,
} from "@switchyard/core";
import { z } from "zod";
import { zodFieldErrors } from "../../lib/errors.ts";

export type FieldErrors = Record<string, string[]>;

export type MetadataRow = { key: string; value: string };

export type KeyFormValues = {
  name: string;
  /** "user:<id>" or "team:<id>"; empty until chosen. */
  owner: string;
  /** Empty means every model. */
  allowedModels: string[];
  rpm: string;
  tpm: string;
  /** A datetime-local value (local time, no zone); empty for no expiry. */
  expiresAt: string;
  /** Comma-separated. */
  tags: string;
  metadata: MetadataRow[];
  rotationEnabled: boolean;
  rotationDays: string;
  rotationGraceMinutes: string;
  notifyWebhookUrl: string;
};

export type KeyOwnerRef = { type: "user" | "team"; id: string };

/** The form's values as the API reads them; null is "not set". */
export type KeyFields = {
  name: string;
  owner: KeyOwnerRef | null;
  allowedModels: string[];
  rpm: number | null;
  tpm: number | null;
  expiresAt: string | null;
  tags: string[];
  metadata: Record<string, string>;
  rotationDays: number | null;
  rotationGraceMinutes: number | null;
  notifyWebhookUrl: string | null;
};

/** The fields as far as they could be read, and what could not be (a field in error is null). */
export type ReadResult = { fields: KeyFields; fieldErrors: FieldErrors };

export const emptyKeyForm: KeyFormValues = {
  name: "",
  owner: "",
  allowedModels: [],
  rpm: "",
  tpm: "",
  expiresAt: "",
  tags: "",
  metadata: [],
  rotationEnabled: false,
  rotationDays: "30",
  rotationGraceMinutes: String(defaultRotationGraceMinutes),
  notifyWebhookUrl: "",
};

export function ownerValue(owner: KeyOwnerRef | null): string {
  return owner ? `${owner.type}:${owner.id}` : "";
}

export function parseOwner(value: string): KeyOwnerRef | null {
  const colon = value.indexOf(":");
  const type = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (colon < 0 || !id || (type !== "user" && type !== "team")) return null;
  return { type, id };
}

/** ISO instant → the value a datetime-local input shows, in the browser's time zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (browser time zone) → ISO instant; null when it is not a date. */
export function fromLocalInput(value: string): string | null {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function splitTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()))].filter(Boolean);
}

function wholeNumber(text: string, errors: FieldErrors, field: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (!/^\d+$/.test(trimmed)) {
    errors[field] = ["Enter a whole number"];
    return null;
  }
  return Number(trimmed);
}

export function readKeyForm(values: KeyFormValues): ReadResult {
  const errors: FieldErrors = {};
  const rpm = wholeNumber(values.rpm, errors, "rpm");
  const tpm = wholeNumber(values.tpm, errors, "tpm");

  let expiresAt: string | null = null;
  if (values.expiresAt.trim() !== "") {
    expiresAt = fromLocalInput(values.expiresAt);
    if (expiresAt === null) errors.expiresAt = ["Enter a date and time"];
  }

  const metadata: Record<string, string> = {};
  for (const row of values.metadata) {
    const key = row.key.trim();
    if (key === "" && row.value.trim() === "") continue;
    if (key === "") {
      errors.metadata = ["Every metadata value needs a key"];
      continue;
    }
    if (Object.hasOwn(metadata, key)) {
      errors.metadata = [`The metadata key "${key}" appears twice`];
      continue;
    }
    metadata[key] = row.value;
  }

  let rotationDays: number | null = null;
  let rotationGraceMinutes: number | null = null;
  let notifyWebhookUrl: string | null = null;
  if (values.rotationEnabled) {
    rotationDays = wholeNumber(values.rotationDays, errors, "rotationDays");
    if (rotationDays === null && !errors.rotationDays) errors.rotationDays = ["Enter a number of days"];
    rotationGraceMinutes = wholeNumber(values.rotationGraceMinutes, errors, "rotationGraceMinutes");
    notifyWebhookUrl = values.notifyWebhookUrl.trim() || null;
    // The schema checks this too, but only once every other field parses; say it alongside the rest.
    if (notifyWebhookUrl === null) errors.notifyWebhookUrl = [scheduledRotationNeedsWebhook];
  }

  return {
    fieldErrors: errors,
    fields: {
      name: values.name.trim(),
      owner: parseOwner(values.owner),
      allowedModels: values.allowedModels,
      rpm,
      tpm,
      expiresAt,
      tags: splitTags(values.tags),
      metadata,
      rotationDays,
      rotationGraceMinutes,
      notifyWebhookUrl,
    },
  };
}

/** The form filled in with a key as it is now (the edit dialog). */
export function keyToForm(key: KeyView): KeyFormValues {
  return {
    name: key.name,
    owner: ownerValue(key.owner),
    allowedModels: [...key.allowedModels],
    rpm: key.rpm === null ? "" : String(key.rpm),
    tpm: key.tpm === null ? "" : String(key.tpm),
    expiresAt: toLocalInput(key.expiresAt),
    tags: key.tags.join(", "),
    metadata: Object.entries(key.metadata).map(([k, value]) => ({ key: k, value })),
    rotationEnabled: key.rotation.days !== null,
    rotationDays: key.rotation.days === null ? emptyKeyForm.rotationDays : String(key.rotation.days),
    rotationGraceMinutes: String(key.rotation.graceMinutes),
    notifyWebhookUrl: key.rotation.notifyWebhookUrl ?? "",
  };
}

export type InputResult<T> = { ok: true; input: T } | { ok: false; fieldErrors: FieldErrors };

/** The schema's verdict, with the form's own errors taking precedence on the fields they concern. */
function check<T>(schema: z.ZodType<T>, raw: unknown, formErrors: FieldErrors): InputResult<T> {
  const parsed = schema.safeParse(raw);
  const fieldErrors = { ...(parsed.success ? {} : zodFieldErrors(parsed.error)), ...formErrors };
  if (parsed.success && Object.keys(fieldErrors).length === 0) return { ok: true, input: parsed.data };
  return { ok: false, fieldErrors };
}

export function toCreateInput(values: KeyFormValues): InputResult<CreateKeyInput> {
  const { fields, fieldErrors } = readKeyForm(values);
  const { owner, ...rest } = fields;
  // A missing owner is left out so that the schema's own message ("Choose the user or team…") shows.
  return check(CreateKeyInput, owner ? { ...rest, owner } : rest, fieldErrors);
}

/** The fields an edit may change: everything but the id, the version and the owner (fixed once a key exists). */
const UpdateKeyFields = UpdateKeyInput.omit({ id: true, version: true });
export type UpdateKeyFields = z.infer<typeof UpdateKeyFields>;

/** Every editable field is sent (null clears one); the owner is fixed once a key exists. */
export function toUpdateFields(values: KeyFormValues): InputResult<UpdateKeyFields> {
  const { fields, fieldErrors } = readKeyForm(values);
  const { owner: _owner, ...rest } = fields;
  return check(UpdateKeyFields, rest, fieldErrors);
}

export function toUpdateInput(
  values: KeyFormValues,
  key: { id: string; version: number },
): InputResult<UpdateKeyInput> {
  const result = toUpdateFields(values);
  return result.ok ? { ok: true, input: { ...result.input, id: key.id, version: key.version } } : result;
}

/**
 * The form's values in, core's input out: a schema for the form's resolver, so the fields' rules and
 * messages stay core's (`toCreateInput`/`toUpdateFields`) and only the reading of text boxes is the form's.
 */
function formSchema<T>(toInput: (values: KeyFormValues) => InputResult<T>) {
  return z.custom<KeyFormValues>().transform((values, ctx): T => {
    const result = toInput(values);
    if (result.ok) return result.input;
    for (const [field, messages] of Object.entries(result.fieldErrors)) {
      ctx.addIssue({ code: "custom", path: [field], message: messages.join(" ") });
    }
    return z.NEVER;
  });
}

export const CreateKeyForm = formSchema(toCreateInput);
export const UpdateKeyForm = formSchema(toUpdateFields);

/** The webhook field shows only with scheduled rotation on, which cannot work without it. */
export const webhookDescription =
  "Required for scheduled rotation: each new secret is sent here. The owner is also told in the dashboard.";
