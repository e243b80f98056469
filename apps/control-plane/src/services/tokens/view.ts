/** How a token row becomes what the API returns: never the hash. */
import { type TokenView, tokenStatus } from "@switchyard/core";
import type { Prisma } from "@switchyard/db";

export const tokenViewSelect = {
  id: true,
  name: true,
  role: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  createdBy: { select: { id: true, email: true, name: true } },
} satisfies Prisma.AdminTokenSelect;

export type TokenRow = Prisma.AdminTokenGetPayload<{ select: typeof tokenViewSelect }>;

export function toTokenView(row: TokenRow, now = new Date()): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    status: tokenStatus(row, now),
  };
}
