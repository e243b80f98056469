/**
 * Admin API token contracts shared by the control plane and the dashboard's token form: what the
 * create and revoke forms send, what the list shows, and which roles a caller may hand out.
 * Browser-safe (zod only); the secret is made and hashed in the control plane.
 */
import { z } from "zod";
import { hasScope, Role, roleScopes } from "../auth/roles.ts";
import { text } from "../validation/text.ts";

/** A token must expire: a forgotten one stops working within a year at most. */
export const maxTokenDays = 365;

/** The expiries the dashboard offers; any whole number of days up to a year is accepted. */
export const tokenExpiryChoices = [7, 30, 90, 365] as const;

export const CreateTokenInput = z.object({
  name: text({ error: "Give the token a name" })
    .trim()
    .min(1, "Give the token a name")
    .max(100, "Use at most 100 characters"),
  role: Role,
  expiresInDays: z
    .number({ error: "Choose when the token expires" })
    .int("Enter a whole number of days")
    .min(1, "A token lasts at least a day")
    .max(maxTokenDays, `A token lasts at most ${maxTokenDays} days`),
});
export type CreateTokenInput = z.infer<typeof CreateTokenInput>;

export const RevokeTokenInput = z.object({ id: z.uuid("Unknown token") });
export type RevokeTokenInput = z.infer<typeof RevokeTokenInput>;

export const TokensListInput = z.object({ includeRevoked: z.boolean().optional() }).optional();
export type TokensListInput = z.infer<typeof TokensListInput>;

export type TokenStatus = "active" | "expired" | "revoked";

/** A token as lists show it: never the secret or its hash. */
export type TokenView = {
  id: string;
  name: string;
  role: Role;
  /** The start of the secret (`sy_admin_` and a few characters), to tell tokens apart. */
  prefix: string;
  createdBy: { id: string; email: string; name: string };
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: TokenStatus;
};

/** A token with its secret, returned once by create. */
export type TokenWithSecret = { token: TokenView; secret: string };

export function tokenStatus(
  t: { expiresAt: Date | string; revokedAt: Date | string | null },
  now = new Date(),
): TokenStatus {
  if (t.revokedAt) return "revoked";
  return new Date(t.expiresAt).getTime() <= now.getTime() ? "expired" : "active";
}

/**
 * Whether a caller of role `holder` may hand out `role`: only when `role` holds no permission
 * `holder` lacks. Roles are not a ladder (reviewer and finance hold different things), so the
 * test is on permissions, not on rank.
 */
export function roleWithin(role: Role, holder: Role): boolean {
  return roleScopes[role].every((scope) => hasScope(holder, scope));
}
