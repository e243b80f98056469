import { AuditListInput } from "@switchyard/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { listAuditActions, listAuditEntries } from "../../services/audit/list.ts";
import { scoped } from "../../trpc.ts";

const list = scoped("audit:read")
  .input(AuditListInput)
  .query(({ ctx, input }) => listAuditEntries(ctx.db, input));

const actions = scoped("audit:read").query(({ ctx }) => listAuditActions(ctx.db));

export const auditRouter = { list, actions } satisfies TRPCRouterRecord;
