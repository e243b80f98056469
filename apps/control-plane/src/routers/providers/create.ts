import { CreateProviderInput } from "@switchyard/core";
import { createProvider } from "../../services/providers/manage.ts";
import { scoped } from "../../trpc.ts";

export const create = scoped("providers:write")
  .input(CreateProviderInput)
  .mutation(({ ctx, input }) => createProvider(ctx, { actor: ctx.actor, orgId: ctx.user.orgId }, input));
