import { CreateTokenInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { createToken } from "../../services/tokens/create.ts";
import { scoped } from "../../trpc.ts";

/** Returns the secret once; only its hash is kept. */
export const create = scoped("tokens:write")
  .input(CreateTokenInput)
  .mutation(({ ctx, input }) => createToken(opArgs(ctx, input)));
