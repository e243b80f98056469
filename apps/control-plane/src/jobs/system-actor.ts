/** The actor of changes no person made (scheduled jobs): audit entries show "system". */
import type { Actor } from "../services/audit/record.ts";

export const systemActor: Actor = { id: null, email: "system", ip: null };
