import { RevokeKeyInput } from "@switchyard/core";
import { revokeKey } from "../../services/keys/revoke.ts";
import { scoped } from "../../trpc.ts";

export const revoke = scoped("keys:write")
  .input(RevokeKeyInput)
  .mutation(({ ctx, input }) => revokeKey({ ...ctx, orgId: ctx.user.orgId, id: input.id }));
