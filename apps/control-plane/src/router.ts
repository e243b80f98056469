/** The dashboard's only backend. The dashboard imports the AppRouter *type* from here. */
import { auditRouter } from "./routers/audit/index.ts";
import { authRouter } from "./routers/auth/index.ts";
import { jobsRouter } from "./routers/jobs/index.ts";
import { keysRouter } from "./routers/keys/index.ts";
import { notificationsRouter } from "./routers/notifications/index.ts";
import { providersRouter } from "./routers/providers/index.ts";
import { routingRouter } from "./routers/routing/index.ts";
import { tokensRouter } from "./routers/tokens/index.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  audit: auditRouter,
  jobs: jobsRouter,
  keys: keysRouter,
  notifications: notificationsRouter,
  providers: providersRouter,
  routing: routingRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;
