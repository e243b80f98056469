import { opArgs } from "../../services/op.ts";
import { listProviders } from "../../services/providers/list.ts";
import { scoped } from "../../trpc.ts";

/** Every provider of the caller's organisation, credentials masked to their last 4 characters. */
export const list = scoped("providers:read").query(({ ctx }) => listProviders(opArgs(ctx)));
