import { ProviderIdInput } from "@switchyard/core";
import { deleteProvider } from "../../services/providers/manage.ts";
import { scoped } from "../../trpc.ts";

export const remove = scoped("providers:write")
  .input(ProviderIdInput)
  .mutation(({ ctx, input }) => deleteProvider(ctx, { actor: ctx.actor, orgId: ctx.user.orgId }, input.id));
