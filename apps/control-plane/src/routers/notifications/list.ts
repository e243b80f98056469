import { listNotifications, NotificationsListInput } from "../../services/notifications/list.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

/** The caller's notices (and, for admins, those addressed to every admin), newest first. */
export const list = scoped("self")
  .input(NotificationsListInput)
  .query(({ ctx, input }) => listNotifications(opArgs(ctx, input)));
