/**
 * Audit log reads: keyset pagination on the primary key, so page N costs the same as page 1.
 * Entries keep the action name they were written with (the log is append-only), so a filter by
 * an action also matches its old names, and every entry is returned under today's name.
 */
import {
  type AuditEntryView,
  type AuditListInput,
  currentAuditAction,
  signInAuditActions,
  storedAuditActionNames,
} from "@switchyard/core";
import type { Prisma } from "@switchyard/db";
import type { OpArgs } from "../op.ts";

export async function listAuditEntries({ db, input }: Pick<OpArgs<AuditListInput>, "db" | "input">): Promise<{
  items: AuditEntryView[];
  nextCursor: string | null;
}> {
  const where: Prisma.AuditLogWhereInput = {};
  const and: Prisma.AuditLogWhereInput[] = [];
  if (input.actor) where.actorEmail = input.actor.toLowerCase();
  if (input.action) and.push({ action: { in: storedAuditActionNames(input.action) } });
  if (input.hideSignIns) {
    and.push({ action: { notIn: signInAuditActions.flatMap((a) => storedAuditActionNames(a)) } });
  }
  if (and.length > 0) where.AND = and;
  if (input.target) {
    const sep = input.target.indexOf(":");
    if (sep > 0) {
      where.targetType = input.target.slice(0, sep);
      where.targetId = input.target.slice(sep + 1);
    } else {
      where.OR = [{ targetType: input.target }, { targetId: input.target }];
    }
  }
  if (input.from || input.to) where.at = { gte: input.from, lte: input.to };
  if (input.cursor) where.id = { lt: BigInt(input.cursor) };

  const rows = await db.auditLog.findMany({
    where,
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map((r) => ({
      id: r.id.toString(),
      at: r.at.toISOString(),
      actorEmail: r.actorEmail,
      actorToken: r.actorTokenId ? { id: r.actorTokenId, name: r.actorTokenName } : null,
      action: currentAuditAction(r.action),
      targetType: r.targetType,
      targetId: r.targetId,
      targetName: r.targetName,
      before: r.before,
      after: r.after,
      ip: r.ip,
    })),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}
