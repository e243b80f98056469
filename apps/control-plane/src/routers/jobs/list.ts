import { listJobs } from "../../services/jobs/list.ts";
import { opArgs } from "../../services/op.ts";
import { scoped } from "../../trpc.ts";

export const list = scoped("system:read").query(({ ctx }) => listJobs(opArgs(ctx)));
