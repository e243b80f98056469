import { CreateKeyInput } from "@switchyard/core";
import { createKey } from "../../services/keys/create.ts";
import { scoped } from "../../trpc.ts";

/** Returns the secret once; it is never readable again. */
export const create = scoped("keys:write")
  .input(CreateKeyInput)
  .mutation(({ ctx, input }) => createKey({ ...ctx, orgId: ctx.user.orgId, input }));
