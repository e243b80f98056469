import { KeysListInput } from "@switchyard/core";
import { listKeys } from "../../services/keys/list.ts";
import { scoped } from "../../trpc.ts";

export const list = scoped("keys:read")
  .input(KeysListInput)
  .query(({ ctx, input }) => listKeys(ctx.db, ctx.user.orgId, input));
