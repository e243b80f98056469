/**
 * How a key is read back: the one Prisma `select` every key read uses (it never selects a hash),
 * and its mapping to the `KeyView` the dashboard and the audit log see.
 */
import type { KeyView } from "@switchyard/core";
import type { Prisma } from "@switchyard/db";

export const keyViewSelect = {
  id: true,
  orgId: true,
  name: true,
  userId: true,
  teamId: true,
  user: { select: { id: true, name: true } },
  team: { select: { id: true, name: true } },
  allowedModels: true,
  rpm: true,
  tpm: true,
  tags: true,
  metadata: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  rotationDays: true,
  rotationGraceMinutes: true,
  nextRotationAt: true,
  notifyWebhookUrl: true,
  version: true,
  // Every secret row: the view keeps the live ones at the time it is built.
  secrets: {
    select: { prefix: true, createdAt: true, validUntil: true },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  },
} satisfies Prisma.ApiKeySelect;

export type KeyRow = Prisma.ApiKeyGetPayload<{ select: typeof keyViewSelect }>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function metadataOf(value: Prisma.JsonValue): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** A user-owned key may also carry the user's team (for team attribution); the user is its owner. */
function ownerOf(row: KeyRow): KeyView["owner"] {
  if (row.user) return { type: "user", id: row.user.id, name: row.user.name };
  if (row.team) return { type: "team", id: row.team.id, name: row.team.name };
  return null;
}

export function toKeyView(row: KeyRow, now = new Date()): KeyView {
  return {
    id: row.id,
    name: row.name,
    owner: ownerOf(row),
    allowedModels: row.allowedModels,
    rpm: row.rpm,
    tpm: row.tpm,
    tags: row.tags,
    metadata: metadataOf(row.metadata),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    rotation: {
      days: row.rotationDays,
      graceMinutes: row.rotationGraceMinutes,
      nextAt: iso(row.nextRotationAt),
      notifyWebhookUrl: row.notifyWebhookUrl,
    },
    secrets: row.secrets
      .filter((s) => s.validUntil === null || s.validUntil > now)
      .map((s) => ({
        prefix: s.prefix,
        createdAt: s.createdAt.toISOString(),
        validUntil: iso(s.validUntil),
      })),
    version: row.version,
  };
}
