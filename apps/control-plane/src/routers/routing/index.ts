import type { TRPCRouterRecord } from "@trpc/server";
import { aliasesRouter } from "./aliases.ts";
import { deploymentsRouter } from "./deployments.ts";

export const routingRouter = {
  deployments: deploymentsRouter,
  aliases: aliasesRouter,
} satisfies TRPCRouterRecord;
