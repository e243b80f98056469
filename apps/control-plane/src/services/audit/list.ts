/** Audit log reads: keyset pagination on the primary key, so page N costs the same as page 1. */
import type { AuditEntryView, AuditListInput } from "@switchyard/core";
import type { Db, Prisma } from "@switchyard/db";

export async function listAuditEntries(
  db: Db,
  input: AuditListInput,
): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const where: Prisma.AuditLogWhereInput = {};
  if (input.actor) where.actorEmail = input.actor.toLowerCase();
  if (input.action) where.action = input.action;
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
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      before: r.before,
      after: r.after,
      ip: r.ip,
    })),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}

export async function listAuditActions(db: Db): Promise<string[]> {
  // A loose index scan would be faster at scale; the set of actions is small and cached by Postgres.
  const rows = await db.$queryRaw<{ action: string }[]>`
    WITH RECURSIVE a AS (
      (SELECT action FROM audit_log ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT action FROM audit_log WHERE action > a.action ORDER BY action LIMIT 1)
      FROM a WHERE a.action IS NOT NULL
    )
    SELECT action FROM a WHERE action IS NOT NULL`;
  return rows.map((r) => r.action);
}
