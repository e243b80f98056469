/**
 * Deletes a provider that has no deployments any more; its credentials go with it. One that has
 * some is refused, naming them and the aliases that route to them, so the admin knows what to move.
 */
import { AppError, type ProviderIdInput } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { providerGone } from "./view.ts";

export async function deleteProvider({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<ProviderIdInput>): Promise<{ id: string }> {
  const { id } = input;
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const provider = await tx.provider.findFirst({
      where: { id, orgId: actor.orgId },
      select: {
        name: true,
        kind: true,
        baseUrl: true,
        credentials: { where: { role: { in: ["primary", "fallback"] } }, select: { id: true, last4: true } },
        deployments: {
          select: { upstreamModel: true, aliases: { select: { model: { select: { name: true } } } } },
          orderBy: { upstreamModel: "asc" },
        },
      },
    });
    if (!provider) throw providerGone();
    if (provider.deployments.length > 0) {
      const n = provider.deployments.length;
      const deployments = provider.deployments.map((d) => d.upstreamModel).join(", ");
      const aliases = [
        ...new Set(provider.deployments.flatMap((d) => d.aliases.map((t) => t.model.name))),
      ].sort();
      const them = n === 1 ? "it" : "them";
      const usedBy =
        aliases.length === 0
          ? `delete ${them} first`
          : `used by alias${aliases.length === 1 ? "" : "es"} ${aliases.join(", ")}: take ${them} out of ${aliases.length === 1 ? "that alias" : "those aliases"}, then delete ${them} first`;
      throw new AppError(
        "conflict",
        `Provider "${provider.name}" still has ${n} deployment${n === 1 ? "" : "s"} (${deployments}), ${usedBy}.`,
      );
    }
    await tx.provider.delete({ where: { id } });
    return {
      result: { id },
      audit: {
        action: "provider.deleted",
        targetType: "provider",
        targetId: id,
        targetName: provider.name,
        before: {
          name: provider.name,
          kind: provider.kind,
          baseUrl: provider.baseUrl,
          credentials: provider.credentials,
        },
      },
    };
  });
  return result;
}
