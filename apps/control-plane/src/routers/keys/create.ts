import { CreateKeyInput } from "@switchyard/core";
import { createKey } from "../../services/keys/create.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

/** Returns the secret once; it is never readable again. A repeated `idempotencyKey` is a 409. */
export const create = scoped("keys:write")
  .input(CreateKeyInput)
  .mutation(({ ctx, input }) => createKey(opArgs(ctx, input)));
