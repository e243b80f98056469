import { roleScopes } from "@switchyard/core";
import { scoped } from "../../trpc.ts";

export const me = scoped("self").query(({ ctx }) => ({
  id: ctx.user.id,
  email: ctx.user.email,
  name: ctx.user.name,
  role: ctx.user.role,
  scopes: [...roleScopes[ctx.user.role]],
}));
