/**
 * In-dashboard notices (scheduled key rotations, credential fallbacks). A notice is for one user,
 * or, with userId null, for every admin; an admin-wide notice read by one admin is read for all.
 * Listing and marking read are operations of their own (`list.ts`, `mark-read.ts`); notices are
 * raised by the jobs and endpoints that notice something, with `createNotification`.
 */
import type { Role } from "@switchyard/core";
import type { Db, Prisma, Tx } from "@switchyard/db";

export type NotificationSeverity = "info" | "warning" | "error";

export type NotificationView = {
  id: string;
  kind: string;
  severity: string;
  title: string;
  body: string;
  targetType: string | null;
  targetId: string | null;
  createdAt: string;
  readAt: string | null;
};

export type NewNotification = {
  /** null = every admin. */
  userId: string | null;
  kind: string;
  severity: NotificationSeverity;
  title: string;
  body: string;
  targetType?: string | null;
  targetId?: string | null;
};

/**
 * The notices a caller sees: their own, and for admins the ones addressed to every admin. A caller
 * that is no user (no id) sees only the latter, and only with the admin role.
 */
export function visibleTo(actor: { id: string | null; role: Role }): Prisma.NotificationWhereInput {
  const own: Prisma.NotificationWhereInput[] = actor.id ? [{ userId: actor.id }] : [];
  const everyAdmin: Prisma.NotificationWhereInput[] = actor.role === "admin" ? [{ userId: null }] : [];
  // An empty OR matches nothing.
  return { OR: [...own, ...everyAdmin] };
}

export async function createNotification(tx: Tx | Db, n: NewNotification): Promise<string> {
  const row = await tx.notification.create({
    data: {
      userId: n.userId,
      kind: n.kind,
      severity: n.severity,
      title: n.title,
      body: n.body,
      targetType: n.targetType ?? null,
      targetId: n.targetId ?? null,
    },
    select: { id: true },
  });
  return row.id;
}
