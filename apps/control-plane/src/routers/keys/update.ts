import { UpdateKeyInput } from "@switchyard/core";
import { updateKey } from "../../services/keys/update.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

/** 409 CONFLICT when the key changed since the caller read `version`. */
export const update = scoped("keys:write")
  .input(UpdateKeyInput)
  .mutation(({ ctx, input }) => updateKey(opArgs(ctx, input)));
