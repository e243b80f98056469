import { MarkNotificationsReadInput, markNotificationsRead } from "../../services/notifications/mark-read.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

export const markRead = scoped("self")
  .input(MarkNotificationsReadInput)
  .mutation(({ ctx, input }) => markNotificationsRead(opArgs(ctx, input)));
