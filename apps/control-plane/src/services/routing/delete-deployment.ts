/** Deletes a deployment no alias routes to; one in use is refused, naming the aliases. */
import { AppError, type DeploymentIdInput } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { auditFields } from "./create-deployment.ts";
import { deploymentGone, deploymentLabel, findDeployment, toDeploymentView } from "./deployment-view.ts";

export async function deleteDeployment({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<DeploymentIdInput>): Promise<{ id: string }> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const row = await findDeployment(tx, actor.orgId, input.id);
    if (!row) throw deploymentGone();
    const view = toDeploymentView(row);
    const label = deploymentLabel(row);
    if (view.usedBy.length > 0) {
      const n = view.usedBy.length;
      throw new AppError(
        "conflict",
        `Deployment ${label} is used by alias${n === 1 ? "" : "es"} ${view.usedBy.join(", ")}: take it out of ${n === 1 ? "that alias" : "those aliases"} first.`,
      );
    }
    await tx.deployment.delete({ where: { id: row.id } });
    return {
      result: { id: row.id },
      audit: {
        action: "deployment.deleted",
        targetType: "deployment",
        targetId: row.id,
        targetName: label,
        before: auditFields(view),
      },
    };
  });
  return result;
}
