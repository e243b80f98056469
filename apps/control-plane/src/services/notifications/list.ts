/** The caller's notices (and, for admins, those addressed to every admin), newest first. */
import { z } from "zod";
import type { OpArgs } from "../op.ts";
import { type NotificationView, visibleTo } from "./notifications.ts";

export const NotificationsListInput = z.object({ unreadOnly: z.boolean().optional() });
export type NotificationsListInput = z.infer<typeof NotificationsListInput>;

/** The most recent notices a caller sees; older ones stay in the table. */
const listLimit = 100;

export async function listNotifications({
  db,
  actor,
  input,
}: OpArgs<NotificationsListInput>): Promise<{ items: NotificationView[]; unread: number }> {
  const visible = visibleTo(actor);
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
