import { keyFormOptions } from "../../services/keys/form-options.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

export const formOptions = scoped("keys:read").query(({ ctx }) => keyFormOptions(opArgs(ctx)));
