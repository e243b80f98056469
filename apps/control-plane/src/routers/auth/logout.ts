import { signOut } from "../../services/auth/logout.ts";
import { clearedSessionCookie } from "../../services/auth/sessions.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

export const logout = scoped("self").mutation(async ({ ctx }) => {
  await signOut({ ...opArgs(ctx), sessionId: ctx.user.sessionId });
  ctx.setCookie(clearedSessionCookie(ctx.env.COOKIE_SECURE));
  return { ok: true as const };
});
