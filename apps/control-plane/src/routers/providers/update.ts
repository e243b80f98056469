import { UpdateProviderInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { updateProvider } from "../../services/providers/update.ts";
import { scoped } from "../../trpc.ts";

/** 409 CONFLICT when the provider changed since the caller read `version`. */
export const update = scoped("providers:write")
  .input(UpdateProviderInput)
  .mutation(({ ctx, input }) => updateProvider(opArgs(ctx, input)));
