import { ChangePasswordInput } from "@switchyard/core";
import { changePassword as changeOwnPassword } from "../../services/auth/change-password.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

export const changePassword = scoped("self")
  .input(ChangePasswordInput)
  .mutation(({ ctx, input }) =>
    changeOwnPassword({ ...opArgs(ctx, input), store: ctx.store, sessionId: ctx.user.sessionId }),
  );
