/**
 * Edits a deployment with optimistic concurrency (the edit names the version it read). Its kind
 * cannot change while an alias of the other kind routes to it.
 */
import { AppError, type DeploymentView, type UpdateDeploymentInput } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { auditFields } from "./create-deployment.ts";
import {
  deploymentGone,
  deploymentLabel,
  findDeployment,
  getDeploymentView,
  staleDeployment,
  toDeploymentView,
} from "./deployment-view.ts";
import { assertDeploymentFree, assertProviderExists } from "./validate.ts";

export async function updateDeployment({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<UpdateDeploymentInput>): Promise<DeploymentView> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const row = await findDeployment(tx, actor.orgId, input.id);
    if (!row) throw deploymentGone();
    if (row.version !== input.version) throw staleDeployment();
    const before = toDeploymentView(row);
    const providerId = input.providerId ?? row.providerId;
    const upstreamModel = input.upstreamModel ?? row.upstreamModel;
    if (providerId !== row.providerId) await assertProviderExists(tx, actor.orgId, providerId);
    if (providerId !== row.providerId || upstreamModel !== row.upstreamModel)
      await assertDeploymentFree(tx, providerId, upstreamModel, row.id);
    if (input.kind !== undefined && input.kind !== row.kind) {
      const users = await tx.aliasTarget.findMany({
        where: { deploymentId: row.id, model: { kind: { not: input.kind } } },
        select: { model: { select: { name: true } } },
      });
      if (users.length > 0) {
        const names = users.map((u) => u.model.name).sort();
        const message = `Used by ${row.kind} alias${names.length === 1 ? "" : "es"} ${names.join(", ")}: take it out of ${names.length === 1 ? "that alias" : "those aliases"} before changing its kind`;
        throw new AppError("conflict", message, { fieldErrors: { kind: [message] } });
      }
    }
    const t = input.timeouts;
    // The version in the WHERE makes the check and the write one step.
    const { count } = await tx.deployment.updateMany({
      where: { id: row.id, version: input.version },
      data: {
        providerId,
        upstreamModel,
        ...(input.kind !== undefined ? { kind: input.kind } : {}),
        ...(input.contextWindow !== undefined ? { contextWindow: input.contextWindow } : {}),
        ...(input.maxOutputTokens !== undefined ? { maxOutputTokens: input.maxOutputTokens } : {}),
        ...(input.region !== undefined ? { region: input.region } : {}),
        ...(input.tags !== undefined ? { tags: input.tags } : {}),
        ...(t
          ? {
              connectMs: t.connectMs,
              firstByteMs: t.firstByteMs,
              firstTokenMs: t.firstTokenMs,
              betweenChunksMs: t.betweenChunksMs,
              totalMs: t.totalMs,
            }
          : {}),
        ...(input.pricing
          ? {
              inputMicrosPerMTok: BigInt(input.pricing.inputMicrosPerMTok),
              outputMicrosPerMTok: BigInt(input.pricing.outputMicrosPerMTok),
            }
          : {}),
        version: { increment: 1 },
      },
    });
    if (count === 0) throw staleDeployment();
    const after = await getDeploymentView(tx, actor.orgId, row.id);
    return {
      result: after,
      audit: {
        action: "deployment.updated",
        targetType: "deployment",
        targetId: row.id,
        targetName: deploymentLabel({
          provider: { name: after.providerName },
          upstreamModel: after.upstreamModel,
        }),
        before: auditFields(before),
        after: auditFields(after),
      },
    };
  });
  return result;
}
