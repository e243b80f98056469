import { RotateKeyInput } from "@switchyard/core";
import { rotateKey } from "../../services/keys/rotate.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

/** Returns the new secret once; the previous one keeps working for `graceMinutes`. */
export const rotate = scoped("keys:write")
  .input(RotateKeyInput)
  .mutation(({ ctx, input }) => rotateKey(opArgs(ctx, input)));
