import type { TRPCRouterRecord } from "@trpc/server";
import { list } from "./list.ts";

/** The background jobs: what runs, when it last ran and how it went (the dashboard's System page). */
export const jobsRouter = { list } satisfies TRPCRouterRecord;
