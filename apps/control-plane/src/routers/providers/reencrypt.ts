import { opArgs } from "../../services/op.ts";
import { reencryptCredentials } from "../../services/providers/reencrypt.ts";
import { scoped } from "../../trpc.ts";

/** Master-key rotation: re-seals every stored credential under the newest MASTER_KEYS version. */
export const reencrypt = scoped("providers:write").mutation(({ ctx }) => reencryptCredentials(opArgs(ctx)));
