import { LoginInput } from "@switchyard/core";
import { signIn } from "../../services/auth/login.ts";
import { sessionCookie } from "../../services/auth/sessions.ts";
import { publicProcedure } from "../../trpc.ts";

export const login = publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
  const { user, session } = await signIn({
    db: ctx.db,
    store: ctx.store,
    input,
    client: { ip: ctx.ip, userAgent: ctx.userAgent },
    lifetime: { idleHours: ctx.env.SESSION_TTL_HOURS, maxLifetimeHours: ctx.env.SESSION_MAX_LIFETIME_HOURS },
  });
  ctx.setCookie(sessionCookie(session.token, session.endsAt, ctx.env.COOKIE_SECURE));
  return { user };
});
