/**
 * Deletes an alias no live key allows; one that keys allow is refused, naming them (its clients
 * would start failing). Its targets go with it; the deployments stay.
 */
import { type AliasIdInput, AppError } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { aliasGone, getAliasView } from "./alias-view.ts";
import { aliasAuditFields } from "./create-alias.ts";

export async function deleteAlias({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<AliasIdInput>): Promise<{ id: string }> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const exists = await tx.gatewayModel.findUnique({ where: { id: input.id }, select: { name: true } });
    if (!exists) throw aliasGone();
    const view = await getAliasView(tx, actor.orgId, input.id);
    // Keys of other organisations are counted, never named.
    const elsewhere = await tx.apiKey.count({
      where: { orgId: { not: actor.orgId }, revokedAt: null, allowedModels: { has: view.name } },
    });
    if (view.keys.length > 0 || elsewhere > 0) {
      const named = view.keys.map((k) => `"${k.name}"`);
      if (elsewhere > 0) named.push(`${elsewhere} key${elsewhere === 1 ? "" : "s"} of other organisations`);
      throw new AppError(
        "conflict",
        `Alias "${view.name}" is allowed by key${view.keys.length + elsewhere === 1 ? "" : "s"} ${named.join(", ")}: take it out of their allowed models, or revoke them, first.`,
      );
    }
    await tx.gatewayModel.delete({ where: { id: input.id } });
    return {
      result: { id: input.id },
      audit: {
        action: "alias.deleted",
        targetType: "alias",
        targetId: input.id,
        targetName: view.name,
        before: aliasAuditFields(view),
      },
    };
  });
  return result;
}
