import type { TRPCRouterRecord } from "@trpc/server";
import { list } from "./list.ts";
import { markRead } from "./mark-read.ts";

export const notificationsRouter = { list, markRead } satisfies TRPCRouterRecord;
