import { CreateProviderInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { createProvider } from "../../services/providers/create.ts";
import { scoped } from "../../trpc.ts";

/** A repeated `idempotencyKey` is a 409 "Already created". */
export const create = scoped("providers:write")
  .input(CreateProviderInput)
  .mutation(({ ctx, input }) => createProvider(opArgs(ctx, input)));
