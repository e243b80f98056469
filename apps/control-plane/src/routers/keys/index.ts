import type { TRPCRouterRecord } from "@trpc/server";
import { create } from "./create.ts";
import { formOptions } from "./form-options.ts";
import { list } from "./list.ts";
import { revoke } from "./revoke.ts";
import { rotate } from "./rotate.ts";
import { update } from "./update.ts";

export const keysRouter = { list, formOptions, create, update, rotate, revoke } satisfies TRPCRouterRecord;
