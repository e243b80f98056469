/** Marks the caller's notices read; ids the caller cannot see are ignored. */
import { z } from "zod";
import type { OpArgs } from "../op.ts";
import { visibleTo } from "./notifications.ts";

export const MarkNotificationsReadInput = z.object({
  ids: z.array(z.uuid("Unknown notification")).min(1, "Choose at least one notification").max(500),
});
export type MarkNotificationsReadInput = z.infer<typeof MarkNotificationsReadInput>;

export async function markNotificationsRead({
  db,
  actor,
  input,
}: OpArgs<MarkNotificationsReadInput>): Promise<{ updated: number }> {
  const { count } = await db.notification.updateMany({
    where: { AND: [visibleTo(actor), { id: { in: input.ids }, readAt: null }] },
    data: { readAt: new Date() },
  });
  return { updated: count };
}
