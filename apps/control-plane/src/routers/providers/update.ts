import { UpdateProviderInput } from "@switchyard/core";
import { updateProvider } from "../../services/providers/manage.ts";
import { scoped } from "../../trpc.ts";

export const update = scoped("providers:write")
  .input(UpdateProviderInput)
  .mutation(({ ctx, input }) => updateProvider(ctx, { actor: ctx.actor, orgId: ctx.user.orgId }, input));
