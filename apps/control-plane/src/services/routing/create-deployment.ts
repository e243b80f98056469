/**
 * Adds one of a provider's models as a deployment (typed, or picked from discovery). It serves
 * nothing until an alias routes to it. Audited and published through `writeConfig`.
 */
import { type CreateDeploymentInput, type DeploymentView, defaultDeploymentTimeouts } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import { alreadyCreated } from "../idempotency.ts";
import type { OpArgs } from "../op.ts";
import { deploymentLabel, getDeploymentView } from "./deployment-view.ts";
import { assertDeploymentFree, assertProviderExists } from "./validate.ts";

export async function createDeployment({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<CreateDeploymentInput>): Promise<DeploymentView> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    // Under the config lock: of concurrent repeats, the first creates and the others find it here.
    if (input.idempotencyKey) {
      const earlier = await tx.deployment.findFirst({
        where: { idempotencyKey: input.idempotencyKey },
        select: { id: true },
      });
      if (earlier) throw alreadyCreated("deployment");
    }
    await assertProviderExists(tx, actor.orgId, input.providerId);
    await assertDeploymentFree(tx, input.providerId, input.upstreamModel);
    const timeouts = input.timeouts ?? defaultDeploymentTimeouts;
    const created = await tx.deployment.create({
      data: {
        providerId: input.providerId,
        upstreamModel: input.upstreamModel,
        kind: input.kind,
        contextWindow: input.contextWindow ?? null,
        maxOutputTokens: input.maxOutputTokens ?? null,
        region: input.region ?? null,
        tags: input.tags ?? [],
        connectMs: timeouts.connectMs,
        firstByteMs: timeouts.firstByteMs,
        firstTokenMs: timeouts.firstTokenMs,
        betweenChunksMs: timeouts.betweenChunksMs,
        totalMs: timeouts.totalMs,
        inputMicrosPerMTok: BigInt(input.pricing?.inputMicrosPerMTok ?? 0),
        outputMicrosPerMTok: BigInt(input.pricing?.outputMicrosPerMTok ?? 0),
        idempotencyKey: input.idempotencyKey ?? null,
      },
      select: { id: true },
    });
    const view = await getDeploymentView(tx, actor.orgId, created.id);
    return {
      result: view,
      audit: {
        action: "deployment.created",
        targetType: "deployment",
        targetId: view.id,
        targetName: deploymentLabel({
          provider: { name: view.providerName },
          upstreamModel: view.upstreamModel,
        }),
        after: auditFields(view),
      },
    };
  });
  return result;
}

/** What the audit entry records of a deployment: its settings, without ids or times. */
export function auditFields(v: DeploymentView) {
  return {
    providerId: v.providerId,
    upstreamModel: v.upstreamModel,
    kind: v.kind,
    contextWindow: v.contextWindow,
    maxOutputTokens: v.maxOutputTokens,
    region: v.region,
    tags: v.tags,
    timeouts: v.timeouts,
    pricing: v.pricing,
  };
}
