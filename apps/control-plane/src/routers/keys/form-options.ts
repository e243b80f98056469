import { keyFormOptions } from "../../services/keys/list.ts";
import { scoped } from "../../trpc.ts";

export const formOptions = scoped("keys:read").query(({ ctx }) => keyFormOptions(ctx.db, ctx.user.orgId));
