/** Writes audit entries; callers pass the transaction of the change so both commit together. */
import type { AuditAction } from "@switchyard/core";
import type { Prisma, Tx } from "@switchyard/db";

export type Actor = {
  id: string | null;
  email: string | null;
  ip: string | null;
  /** Set when an admin API token made the call: the token is the actor, not a person. */
  tokenId?: string | null;
  /** The token's name at the time, kept in the entry so it reads after the token is revoked. */
  tokenName?: string | null;
};

export type AuditEntry = {
  action: AuditAction;
  targetType: string;
  targetId?: string | null;
  /** The target's name as it is now (a key's or provider's name, a user's email): renames come later. */
  targetName?: string | null;
  before?: unknown;
  after?: unknown;
};

const toJson = (v: unknown) => (v === undefined || v === null ? undefined : (v as Prisma.InputJsonValue));

export async function recordAudit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: actor.id,
      actorEmail: actor.email,
      ip: actor.ip,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      targetName: entry.targetName ?? null,
      actorTokenId: actor.tokenId ?? null,
      actorTokenName: actor.tokenName ?? null,
      before: toJson(entry.before),
      after: toJson(entry.after),
    },
  });
}
