/**
 * Creates an alias (a name clients send) routing to one or more deployments of its kind, in order
 * and with weights. Audited and published through `writeConfig`: the snapshot carries it at once.
 */
import type { AliasView, CreateAliasInput } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import { alreadyCreated } from "../idempotency.ts";
import type { OpArgs } from "../op.ts";
import { getAliasView } from "./alias-view.ts";
import { assertAliasNameFree, checkTargets, writeTargets } from "./validate.ts";

export async function createAlias({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<CreateAliasInput>): Promise<AliasView> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    // Under the config lock: of concurrent repeats, the first creates and the others find it here.
    if (input.idempotencyKey) {
      const earlier = await tx.gatewayModel.findFirst({
        where: { idempotencyKey: input.idempotencyKey },
        select: { id: true },
      });
      if (earlier) throw alreadyCreated("alias");
    }
    await assertAliasNameFree(tx, input.name);
    await checkTargets(tx, actor.orgId, input.kind, input.targets);
    const created = await tx.gatewayModel.create({
      data: {
        name: input.name,
        kind: input.kind,
        strategy: input.strategy,
        idempotencyKey: input.idempotencyKey ?? null,
      },
      select: { id: true },
    });
    await writeTargets(tx, created.id, input.targets);
    const view = await getAliasView(tx, actor.orgId, created.id);
    return {
      result: view,
      audit: {
        action: "alias.created",
        targetType: "alias",
        targetId: view.id,
        targetName: view.name,
        after: aliasAuditFields(view),
      },
    };
  });
  return result;
}

/** What the audit entry records of an alias: its settings and targets, named. */
export function aliasAuditFields(v: AliasView) {
  return {
    name: v.name,
    kind: v.kind,
    strategy: v.strategy,
    targets: v.targets.map((t) => ({
      deploymentId: t.deploymentId,
      deployment: `${t.providerName}/${t.upstreamModel}`,
      weight: t.weight,
    })),
  };
}
