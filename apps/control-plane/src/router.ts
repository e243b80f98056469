/** The dashboard's only backend. The dashboard imports the AppRouter *type* from here. */
import { auditRouter } from "./routers/audit/index.ts";
import { authRouter } from "./routers/auth/index.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
