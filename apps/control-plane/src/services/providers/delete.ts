/** Deletes a provider that no deployment uses any more; its credentials go with it. */
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
        deployments: { select: { model: { select: { name: true } } } },
      },
    });
    if (!provider) throw providerGone();
    if (provider.deployments.length > 0) {
      const models = [...new Set(provider.deployments.map((d) => d.model.name))].sort();
      const n = provider.deployments.length;
      throw new AppError(
        "conflict",
        `Provider "${provider.name}" is still used by ${n} deployment${n === 1 ? "" : "s"} (model${models.length === 1 ? "" : "s"} ${models.join(", ")}): move or delete those deployments first.`,
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
