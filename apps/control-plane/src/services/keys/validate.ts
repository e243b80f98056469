/**
 * Checks of key input against the database (models and owners exist, the name is free), as field
 * errors the form shows.
 */
import { AppError, type KeyOwnerInput } from "@switchyard/core";
import type { Tx } from "@switchyard/db";

/** The allowed models (alias names), de-duplicated; names no alias has are refused with a field error. */
export async function checkModels(tx: Tx, names: readonly string[]): Promise<string[]> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return unique;
  const found = await tx.gatewayModel.findMany({ where: { name: { in: unique } }, select: { name: true } });
  const known = new Set(found.map((m) => m.name));
  const missing = unique.filter((n) => !known.has(n));
  if (missing.length > 0) {
    const msg = `Unknown model${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}. Choose from the aliases the gateway serves.`;
    throw new AppError("invalid_request", msg, { fieldErrors: { allowedModels: [msg] } });
  }
  return unique;
}

/**
 * Resolves the owner to the key's userId/teamId. A user-owned key also carries the user's team,
 * so team budgets and usage reports count it; the user stays its owner.
 */
export async function resolveOwner(
  tx: Tx,
  orgId: string,
  owner: KeyOwnerInput,
): Promise<{ userId: string | null; teamId: string | null }> {
  if (owner.type === "user") {
    const user = await tx.user.findFirst({
      where: { id: owner.id, orgId },
      select: { id: true, teamId: true, disabledAt: true },
    });
    if (!user || user.disabledAt) {
      const msg = user ? "This user is disabled; choose an active user or a team" : "Unknown user";
      throw new AppError("invalid_request", msg, { fieldErrors: { owner: [msg] } });
    }
    return { userId: user.id, teamId: user.teamId };
  }
  const team = await tx.team.findFirst({ where: { id: owner.id, orgId }, select: { id: true } });
  if (!team) {
    throw new AppError("invalid_request", "Unknown team", { fieldErrors: { owner: ["Unknown team"] } });
  }
  return { userId: null, teamId: team.id };
}

export function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}

export function addDays(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 86_400_000);
}

/**
 * Refuses a name another live key of the organisation already has (revoked keys give theirs up),
 * compared without case, so two keys a person cannot tell apart in the list never exist. Called
 * under the config lock, so two concurrent saves of one name cannot both pass.
 */
export async function assertKeyNameFree(tx: Tx, orgId: string, name: string, exceptId?: string) {
  const clash = await tx.apiKey.findFirst({
    where: {
      orgId,
      revokedAt: null,
      name: { equals: name, mode: "insensitive" },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    select: { id: true },
  });
  if (clash) {
    throw new AppError("conflict", `A key named "${name}" already exists`, {
      fieldErrors: { name: [`A key named "${name}" already exists: choose another name`] },
    });
  }
}
