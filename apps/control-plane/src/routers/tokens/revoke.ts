import { RevokeTokenInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { revokeToken } from "../../services/tokens/revoke.ts";
import { scoped } from "../../trpc.ts";

export const revoke = scoped("tokens:write")
  .input(RevokeTokenInput)
  .mutation(({ ctx, input }) => revokeToken(opArgs(ctx, input)));
