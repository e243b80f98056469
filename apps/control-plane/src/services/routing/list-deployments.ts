/** Every deployment of the caller's organisation, by provider and upstream model. */
import type { DeploymentView } from "@switchyard/core";
import type { OpArgs } from "../op.ts";
import { deploymentViewSelect, toDeploymentView } from "./deployment-view.ts";

export async function listDeployments({ db, actor }: OpArgs): Promise<{ items: DeploymentView[] }> {
  const rows = await db.deployment.findMany({
    where: { provider: { orgId: actor.orgId } },
    select: deploymentViewSelect,
    orderBy: [{ provider: { name: "asc" } }, { upstreamModel: "asc" }],
  });
  return { items: rows.map(toDeploymentView) };
}
