import { KeysListInput } from "@switchyard/core";
import { listKeys } from "../../services/keys/list.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

export const list = scoped("keys:read")
  .input(KeysListInput)
  .query(({ ctx, input }) => listKeys(opArgs(ctx, input)));
