import { TokensListInput } from "@switchyard/core";
import { opArgs } from "../../services/op.ts";
import { listTokens } from "../../services/tokens/list.ts";
import { scoped } from "../../trpc.ts";

export const list = scoped("tokens:read")
  .input(TokensListInput)
  .query(({ ctx, input }) => listTokens(opArgs(ctx, input)));
