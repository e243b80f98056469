import { ProviderIdInput } from "@switchyard/core";
import { testProviderCredential } from "../../services/providers/test-connection.ts";
import { scoped } from "../../trpc.ts";

/** A real call to the provider, so a mutation: it costs a request and is audited. */
export const test = scoped("providers:write")
  .input(ProviderIdInput)
  .mutation(({ ctx, input }) =>
    testProviderCredential(ctx, { actor: ctx.actor, orgId: ctx.user.orgId }, input.id),
  );
