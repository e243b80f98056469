import { AuditListInput } from "@switchyard/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { listAuditActions } from "../../services/audit/actions.ts";
import { listAuditEntries } from "../../services/audit/list.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

/** Newest first; `action` matches entries written under the action's old name too. */
const list = scoped("audit:read")
  .input(AuditListInput)
  .query(({ ctx, input }) => listAuditEntries(opArgs(ctx, input)));

const actions = scoped("audit:read").query(({ ctx }) => listAuditActions(opArgs(ctx)));

export const auditRouter = { list, actions } satisfies TRPCRouterRecord;
