import { ProviderIdInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { testProviderCredential } from "../../services/providers/test-connection.ts";
import { scoped } from "../../trpc.ts";

/** A real call to the provider, so a mutation: it costs a request and is audited. */
export const test = scoped("providers:write")
  .input(ProviderIdInput)
  .mutation(({ ctx, input }) => testProviderCredential(opArgs(ctx, input)));
