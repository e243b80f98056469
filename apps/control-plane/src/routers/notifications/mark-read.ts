import {
  MarkNotificationsReadInput,
  markNotificationsRead,
} from "../../services/notifications/notifications.ts";
import { scoped } from "../../trpc.ts";

export const markRead = scoped("self")
  .input(MarkNotificationsReadInput)
  .mutation(({ ctx, input }) => markNotificationsRead(ctx.db, ctx.user, input));
