/**
 * Changes an alias's name, strategy and targets with optimistic concurrency. A rename carries the
 * keys along: every key that allowed the old name allows the new one, in the same transaction (and
 * their versions move, so a key form opened before the rename is told to reload instead of saving
 * the old name back).
 */
import type { AliasView, UpdateAliasInput } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { aliasGone, getAliasView, staleAlias } from "./alias-view.ts";
import { aliasAuditFields } from "./create-alias.ts";
import { assertAliasNameFree, checkTargets, writeTargets } from "./validate.ts";

export async function updateAlias({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<UpdateAliasInput>): Promise<AliasView> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const current = await tx.gatewayModel.findUnique({
      where: { id: input.id },
      select: { name: true, kind: true, version: true },
    });
    if (!current) throw aliasGone();
    if (current.version !== input.version) throw staleAlias();
    const before = await getAliasView(tx, actor.orgId, input.id);
    const renamed = input.name !== current.name;
    if (renamed) await assertAliasNameFree(tx, input.name, input.id);
    await checkTargets(tx, actor.orgId, current.kind, input.targets);
    // The version in the WHERE makes the check and the write one step.
    const { count } = await tx.gatewayModel.updateMany({
      where: { id: input.id, version: input.version },
      data: { name: input.name, strategy: input.strategy, version: { increment: 1 } },
    });
    if (count === 0) throw staleAlias();
    await writeTargets(tx, input.id, input.targets);
    let keysRenamed = 0;
    if (renamed) {
      keysRenamed = await tx.$executeRaw`
        UPDATE api_keys
        SET allowed_models = array_replace(allowed_models, ${current.name}, ${input.name}),
            version = version + 1, updated_at = now()
        WHERE ${current.name} = ANY (allowed_models)`;
    }
    const after = await getAliasView(tx, actor.orgId, input.id);
    return {
      result: after,
      audit: {
        action: "alias.updated",
        targetType: "alias",
        targetId: input.id,
        targetName: after.name,
        before: aliasAuditFields(before),
        after: { ...aliasAuditFields(after), ...(renamed ? { keysRenamed } : {}) },
      },
    };
  });
  return result;
}
