import { RotateProviderCredentialInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { rotateProviderCredential } from "../../services/providers/rotate-credential.ts";
import { scoped } from "../../trpc.ts";

export const rotateCredential = scoped("providers:write")
  .input(RotateProviderCredentialInput)
  .mutation(({ ctx, input }) => rotateProviderCredential(opArgs(ctx, input)));
