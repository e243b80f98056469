import type { TRPCRouterRecord } from "@trpc/server";
import { create } from "./create.ts";
import { list } from "./list.ts";
import { revoke } from "./revoke.ts";

/** Admin API tokens: how scripts and Terraform authenticate (`Authorization: Bearer`). */
export const tokensRouter = { list, create, revoke } satisfies TRPCRouterRecord;
