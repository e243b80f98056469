import { AppError, LoginInput } from "@switchyard/core";
import { recordAudit } from "../../services/audit/record.ts";
import { verifyPassword } from "../../services/auth/passwords.ts";
import { createSession, sessionCookie } from "../../services/auth/sessions.ts";
import { beginLoginAttempt, loginSucceeded } from "../../services/auth/throttle.ts";
import { publicProcedure } from "../../trpc.ts";

export const login = publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
  await beginLoginAttempt(ctx.store, input.email, ctx.ip);
  const user = await ctx.db.user.findUnique({
    where: { email: input.email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabledAt: true },
  });
  const ok = await verifyPassword(user && !user.disabledAt ? user.passwordHash : null, input.password);
  if (!user || !ok) {
    await ctx.db.$transaction((tx) =>
      recordAudit(
        tx,
        { id: user?.id ?? null, email: input.email, ip: ctx.ip },
        { action: "auth.login_failed", targetType: "user", targetId: user?.id ?? null },
      ),
    );
    // One message whether or not the account exists.
    throw new AppError("unauthenticated", "Email or password is incorrect");
  }
  await loginSucceeded(ctx.store, input.email, ctx.ip);
  const session = await ctx.db.$transaction(async (tx) => {
    const s = await createSession(tx, {
      userId: user.id,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      lifetime: {
        idleHours: ctx.env.SESSION_TTL_HOURS,
        maxLifetimeHours: ctx.env.SESSION_MAX_LIFETIME_HOURS,
      },
    });
    await recordAudit(
      tx,
      { id: user.id, email: user.email, ip: ctx.ip },
      { action: "auth.login", targetType: "session", targetId: s.sessionId },
    );
    return s;
  });
  ctx.setCookie(sessionCookie(session.token, session.endsAt, ctx.env.COOKIE_SECURE));
  return { user: { id: user.id, email: user.email, name: user.name, role: user.role } };
});
