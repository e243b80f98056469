import { AppError, ChangePasswordInput } from "@switchyard/core";
import { recordAudit } from "../../services/audit/record.ts";
import { hashPassword, verifyPassword } from "../../services/auth/passwords.ts";
import { beginPasswordChangeAttempt, passwordChangeSucceeded } from "../../services/auth/throttle.ts";
import { scoped } from "../../trpc.ts";

export const changePassword = scoped("self")
  .input(ChangePasswordInput)
  .mutation(async ({ ctx, input }) => {
    await beginPasswordChangeAttempt(ctx.store, ctx.user.id);
    const user = await ctx.db.user.findUniqueOrThrow({
      where: { id: ctx.user.id },
      select: { passwordHash: true },
    });
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      await ctx.db.$transaction((tx) =>
        recordAudit(tx, ctx.actor, {
          action: "auth.password_change_failed",
          targetType: "user",
          targetId: ctx.user.id,
        }),
      );
      throw new AppError("invalid_request", "The current password is not correct", {
        fieldErrors: { currentPassword: ["The current password is not correct"] },
      });
    }
    await passwordChangeSucceeded(ctx.store, ctx.user.id);
    const passwordHash = await hashPassword(input.newPassword);
    await ctx.db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: ctx.user.id }, data: { passwordHash } });
      // Other sessions of this user end: a changed password must lock out whoever knew the old one.
      await tx.session.deleteMany({ where: { userId: ctx.user.id, id: { not: ctx.user.sessionId } } });
      await recordAudit(tx, ctx.actor, {
        action: "auth.password_changed",
        targetType: "user",
        targetId: ctx.user.id,
      });
    });
    return { ok: true as const };
  });
