import { RotateProviderCredentialInput } from "@switchyard/core";
import { rotateProviderCredential } from "../../services/providers/credentials.ts";
import { scoped } from "../../trpc.ts";

export const rotateCredential = scoped("providers:write")
  .input(RotateProviderCredentialInput)
  .mutation(({ ctx, input }) =>
    rotateProviderCredential(ctx, { actor: ctx.actor, orgId: ctx.user.orgId }, input),
  );
