/** `routing.deployments.*`: a provider's models as deployments, with their limits, timeouts and price. */
import {
  CreateDeploymentInput,
  DeploymentIdInput,
  DiscoverDeploymentsInput,
  UpdateDeploymentInput,
} from "@switchyard/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { opArgs } from "../../services/op.ts";
import { createDeployment } from "../../services/routing/create-deployment.ts";
import { deleteDeployment } from "../../services/routing/delete-deployment.ts";
import { discoverDeployments } from "../../services/routing/discover-deployments.ts";
import { listDeployments } from "../../services/routing/list-deployments.ts";
import { updateDeployment } from "../../services/routing/update-deployment.ts";
import { scoped } from "../../trpc.ts";

const list = scoped("routing:read").query(({ ctx }) => listDeployments(opArgs(ctx)));

/** A real call to the provider (its model list), so a mutation: it costs a request and is audited. */
const discover = scoped("routing:write")
  .input(DiscoverDeploymentsInput)
  .mutation(({ ctx, input }) => discoverDeployments(opArgs(ctx, input)));

/** A repeated `idempotencyKey` is a 409 "Already created". */
const create = scoped("routing:write")
  .input(CreateDeploymentInput)
  .mutation(({ ctx, input }) => createDeployment(opArgs(ctx, input)));

/** A stale `version` is a 409: someone else saved since the form was opened. */
const update = scoped("routing:write")
  .input(UpdateDeploymentInput)
  .mutation(({ ctx, input }) => updateDeployment(opArgs(ctx, input)));

/** Refused (409) while an alias routes to it. */
const remove = scoped("routing:write")
  .input(DeploymentIdInput)
  .mutation(({ ctx, input }) => deleteDeployment(opArgs(ctx, input)));

export const deploymentsRouter = {
  list,
  discover,
  create,
  update,
  delete: remove,
} satisfies TRPCRouterRecord;
