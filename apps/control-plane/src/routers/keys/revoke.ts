import { RevokeKeyInput } from "@switchyard/core";
import { revokeKey } from "../../services/keys/revoke.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

export const revoke = scoped("keys:write")
  .input(RevokeKeyInput)
  .mutation(({ ctx, input }) => revokeKey(opArgs(ctx, input)));
