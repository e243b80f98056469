/**
 * API key contracts shared by the control plane and the dashboard's forms: what may be typed into
 * the create, edit, rotate and revoke forms, and what the key list shows. Browser-safe (zod only);
 * secret generation and hashing live in `@switchyard/core/keys/secret`.
 */
import { z } from "zod";
import { classifyHost } from "../net/addresses.ts";
import { maxInt32 } from "../usage/event.ts";
import { text } from "../validation/text.ts";

export const maxRotationGraceMinutes = 7 * 24 * 60;
export const defaultRotationGraceMinutes = 60;

export const KeyOwnerType = z.enum(["user", "team"]);
export type KeyOwnerType = z.infer<typeof KeyOwnerType>;

export const KeyOwnerInput = z.object(
  {
    type: KeyOwnerType,
    id: z.uuid("Choose an owner from the list"),
  },
  { error: "Choose the user or team that owns the key" },
);
export type KeyOwnerInput = z.infer<typeof KeyOwnerInput>;

const limit = (what: string) =>
  z
    .number({ error: `Enter the ${what} as a whole number, or leave it empty for no limit` })
    .int(`Enter the ${what} as a whole number`)
    .positive(`The ${what} must be at least 1; leave it empty for no limit`)
    .max(1_000_000_000, `The ${what} must be at most 1,000,000,000`)
    .nullable()
    .optional();

const isoInstant = z.iso.datetime({ offset: true, error: "Enter a date and time" });

/** Fields an admin can set on a key, on create and on edit (the owner is fixed at creation). */
const keyFields = {
  name: text({ error: "Give the key a name" })
    .trim()
    .min(1, "Give the key a name")
    .max(100, "Use at most 100 characters"),
  /** GatewayModel names; empty means every model. */
  allowedModels: z.array(text().trim().min(1).max(200)).max(500, "Choose at most 500 models"),
  rpm: limit("requests per minute"),
  tpm: limit("tokens per minute"),
  expiresAt: isoInstant.nullable().optional(),
  tags: z
    .array(text().trim().min(1, "A tag cannot be empty").max(40, "Each tag must be at most 40 characters"))
    .max(20, "Use at most 20 tags"),
  metadata: z
    .record(
      text()
        .trim()
        .min(1, "Every metadata value needs a key")
        .max(64, "Metadata keys: at most 64 characters"),
      text().max(500, "Metadata values: at most 500 characters"),
      // A bad key is reported by what is wrong with it, not as zod's generic "Invalid key in record".
      { error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : undefined) },
    )
    .refine((m) => Object.keys(m).length <= 20, "Use at most 20 metadata entries"),
  /** Scheduled rotation every N days; null = manual only. Needs `notifyWebhookUrl` (ADR 0005). */
  rotationDays: z
    .number({ error: "Enter a number of days" })
    .int("Enter a whole number of days")
    .min(1, "Rotate at most once a day")
    .max(365, "Rotate at least once a year")
    .nullable()
    .optional(),
  /** How long the old secret keeps working after a scheduled rotation; null/omitted = 60. */
  rotationGraceMinutes: z
    .number({ error: "Enter a number of minutes" })
    .int("Enter a whole number of minutes")
    .min(0, "Use 0 or more minutes")
    .max(maxRotationGraceMinutes, "Use at most 10080 minutes (7 days)")
    .nullable()
    .optional(),
  /**
   * Where scheduled rotations POST the new secret: https, so the secret is never sent in the clear,
   * except to a receiver on the control plane's own machine (loopback).
   */
  notifyWebhookUrl: text()
    .pipe(
      z
        .url({ protocol: /^https?$/, error: "Enter an http:// or https:// URL" })
        .max(2000, "Use at most 2000 characters")
        .refine(
          isSafeWebhookUrl,
          "Use an https:// URL: the new secret is sent to it (http:// only to localhost)",
        )
        .refine(
          isReachableWebhookHost,
          "This is a link-local, cloud metadata or unroutable address: the webhook must be a real receiver",
        ),
    )
    .nullable()
    .optional(),
};

/** https anywhere; http only to this machine. (A URL that does not parse is the url check's to name.) */
function isSafeWebhookUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return true;
  }
  if (url.protocol !== "http:") return true;
  const host = url.hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Never a metadata service or the machine's link (they answer requests with credentials). */
function isReachableWebhookHost(value: string): boolean {
  let host: string;
  try {
    host = new URL(value).hostname;
  } catch {
    return true;
  }
  const cls = classifyHost(host);
  return cls !== "metadata" && cls !== "link-local" && cls !== "unroutable";
}

const webhookRequiredMessage =
  "Scheduled rotation needs a webhook: it is the only way the new secret reaches the key's owner";

/**
 * Names one create dialog's submission (a UUID it generates when it opens): a repeat with the same
 * key (a double click, a retry after a lost answer) is refused as already created, not made twice.
 */
export const IdempotencyKey = z.uuid("The idempotency key must be a UUID");

export const CreateKeyInput = z
  .object({
    ...keyFields,
    owner: KeyOwnerInput,
    idempotencyKey: IdempotencyKey.optional(),
    expiresAt: isoInstant
      .refine((v) => Date.parse(v) > Date.now(), "Choose a time in the future")
      .nullable()
      .optional(),
  })
  .refine((v) => v.rotationDays == null || v.notifyWebhookUrl != null, {
    path: ["notifyWebhookUrl"],
    message: webhookRequiredMessage,
  });
export type CreateKeyInput = z.infer<typeof CreateKeyInput>;

/**
 * An edit names the version it read (optimistic concurrency). Omitted fields stay as they are;
 * null clears a nullable field. The webhook rule is checked against the merged result by the server.
 */
export const UpdateKeyInput = z.object({
  id: z.uuid("Unknown key"),
  version: z.number().int().min(1).max(maxInt32),
  name: keyFields.name.optional(),
  allowedModels: keyFields.allowedModels.optional(),
  rpm: keyFields.rpm,
  tpm: keyFields.tpm,
  expiresAt: keyFields.expiresAt,
  tags: keyFields.tags.optional(),
  metadata: keyFields.metadata.optional(),
  rotationDays: keyFields.rotationDays,
  rotationGraceMinutes: keyFields.rotationGraceMinutes,
  notifyWebhookUrl: keyFields.notifyWebhookUrl,
});
export type UpdateKeyInput = z.infer<typeof UpdateKeyInput>;

export const scheduledRotationNeedsWebhook = webhookRequiredMessage;

export const RotateKeyInput = z.object({
  id: z.uuid("Unknown key"),
  /** How long the current secret keeps working; 0 = it stops at once. */
  graceMinutes: z
    .number({ error: "Enter a number of minutes" })
    .int("Enter a whole number of minutes")
    .min(0, "Use 0 or more minutes")
    .max(maxRotationGraceMinutes, "Use at most 10080 minutes (7 days)"),
});
export type RotateKeyInput = z.infer<typeof RotateKeyInput>;

export const RevokeKeyInput = z.object({ id: z.uuid("Unknown key") });
export type RevokeKeyInput = z.infer<typeof RevokeKeyInput>;

export const KeysListInput = z.object({
  /** Matches the name, a tag, a secret's prefix, or the owner's name. */
  search: text().trim().max(200).optional(),
  includeRevoked: z.boolean().optional(),
});
export type KeysListInput = z.infer<typeof KeysListInput>;

/** A secret as lists show it: never the secret or its hash. */
export type KeySecretView = { prefix: string; createdAt: string; validUntil: string | null };

export type KeyView = {
  id: string;
  name: string;
  owner: { type: KeyOwnerType; id: string; name: string } | null;
  allowedModels: string[];
  rpm: number | null;
  tpm: number | null;
  tags: string[];
  metadata: Record<string, string>;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  rotation: {
    days: number | null;
    graceMinutes: number;
    nextAt: string | null;
    notifyWebhookUrl: string | null;
  };
  /** Live secrets, newest first: two during a rotation's grace, the old one with the time it dies. */
  secrets: KeySecretView[];
  version: number;
};

/** A key with its secret, returned once by create and rotate. */
export type KeyWithSecret = { key: KeyView; secret: string };

export type KeyFormOptions = {
  users: Array<{ id: string; name: string; email: string }>;
  teams: Array<{ id: string; name: string }>;
  models: string[];
};

/** The JSON a scheduled rotation POSTs to the key's webhook. */
export type KeyRotatedWebhook = {
  event: "key.rotated";
  keyId: string;
  keyName: string;
  newSecret: string;
  oldSecretValidUntil: string | null;
  rotatedAt: string;
};
