import { recordAudit } from "../../services/audit/record.ts";
import { clearedSessionCookie } from "../../services/auth/sessions.ts";
import { scoped } from "../../trpc.ts";

export const logout = scoped("self").mutation(async ({ ctx }) => {
  await ctx.db.$transaction(async (tx) => {
    await tx.session.delete({ where: { id: ctx.user.sessionId } });
    await recordAudit(tx, ctx.actor, {
      action: "auth.logout",
      targetType: "session",
      targetId: ctx.user.sessionId,
    });
  });
  ctx.setCookie(clearedSessionCookie(ctx.env.COOKIE_SECURE));
  return { ok: true as const };
});
