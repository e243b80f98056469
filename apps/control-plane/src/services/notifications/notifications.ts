/**
 * In-dashboard notices (scheduled key rotations, credential fallbacks). A notice is for one user,
 * or, with userId null, for every admin; an admin-wide notice read by one admin is read for all.
 */
import type { Role } from "@switchyard/core";
import type { Db, Prisma, Tx } from "@switchyard/db";
import { z } from "zod";

export const NotificationsListInput = z.object({ unreadOnly: z.boolean().optional() });
export type NotificationsListInput = z.infer<typeof NotificationsListInput>;

export const MarkNotificationsReadInput = z.object({
  ids: z.array(z.uuid("Unknown notification")).min(1, "Choose at least one notification").max(500),
});
export type MarkNotificationsReadInput = z.infer<typeof MarkNotificationsReadInput>;

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

/** The most recent notices a caller sees; older ones stay in the table. */
const listLimit = 100;

function visibleTo(user: { id: string; role: Role }): Prisma.NotificationWhereInput {
  return user.role === "admin" ? { OR: [{ userId: user.id }, { userId: null }] } : { userId: user.id };
}

export async function listNotifications(
  db: Db,
  user: { id: string; role: Role },
  input: NotificationsListInput,
): Promise<{ items: NotificationView[]; unread: number }> {
  const visible = visibleTo(user);
  const [rows, unread] = await Promise.all([
    db.notification.findMany({
      where: input.unreadOnly ? { AND: [visible, { readAt: null }] } : visible,
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: listLimit,
    }),
    db.notification.count({ where: { AND: [visible, { readAt: null }] } }),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      severity: r.severity,
      title: r.title,
      body: r.body,
      targetType: r.targetType,
      targetId: r.targetId,
      createdAt: r.createdAt.toISOString(),
      readAt: r.readAt?.toISOString() ?? null,
    })),
    unread,
  };
}

/** Marks the caller's notices read; ids the caller cannot see are ignored. */
export async function markNotificationsRead(
  db: Db,
  user: { id: string; role: Role },
  input: MarkNotificationsReadInput,
): Promise<{ updated: number }> {
  const { count } = await db.notification.updateMany({
    where: { AND: [visibleTo(user), { id: { in: input.ids }, readAt: null }] },
    data: { readAt: new Date() },
  });
  return { updated: count };
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
