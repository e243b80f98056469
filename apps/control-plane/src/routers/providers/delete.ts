import { ProviderIdInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { deleteProvider } from "../../services/providers/delete.ts";
import { scoped } from "../../trpc.ts";

export const remove = scoped("providers:write")
  .input(ProviderIdInput)
  .mutation(({ ctx, input }) => deleteProvider(opArgs(ctx, input)));
