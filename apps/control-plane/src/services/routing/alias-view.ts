/** Reads aliases as the dashboard shows them: targets in order, and the keys that allow each. */
import { type AliasView, AppError, RoutingStrategy } from "@switchyard/core";
import type { Db, Prisma, Tx } from "@switchyard/db";

export const aliasViewSelect = {
  id: true,
  name: true,
  kind: true,
  strategy: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  targets: {
    select: {
      deploymentId: true,
      weight: true,
      position: true,
      deployment: { select: { upstreamModel: true, provider: { select: { name: true } } } },
    },
    orderBy: { position: "asc" },
  },
} satisfies Prisma.GatewayModelSelect;

type AliasRow = Prisma.GatewayModelGetPayload<{ select: typeof aliasViewSelect }>;

/** Non-revoked keys of the organisation whose allowed models name one of `names`, by alias name. */
export async function keysNaming(
  q: Tx | Db,
  orgId: string,
  names: readonly string[],
): Promise<Map<string, { id: string; name: string }[]>> {
  const keys = await q.apiKey.findMany({
    where: { orgId, revokedAt: null, allowedModels: { hasSome: [...names] } },
    select: { id: true, name: true, allowedModels: true },
    orderBy: { name: "asc" },
  });
  const byAlias = new Map<string, { id: string; name: string }[]>();
  for (const k of keys)
    for (const alias of new Set(k.allowedModels))
      byAlias.set(alias, [...(byAlias.get(alias) ?? []), { id: k.id, name: k.name }]);
  return byAlias;
}

export function toAliasView(a: AliasRow, keys: { id: string; name: string }[]): AliasView {
  return {
    id: a.id,
    name: a.name,
    kind: a.kind,
    strategy: RoutingStrategy.catch("priority").parse(a.strategy),
    targets: a.targets.map((t) => ({
      deploymentId: t.deploymentId,
      providerName: t.deployment.provider.name,
      upstreamModel: t.deployment.upstreamModel,
      weight: t.weight,
      position: t.position,
    })),
    keys,
    version: a.version,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export const aliasGone = () =>
  new AppError("not_found", "This alias no longer exists: it may have been deleted. Reload the list.");

export const staleAlias = () =>
  new AppError(
    "conflict",
    "This alias was changed by someone else since you opened it. Reload, then save again.",
  );

export async function getAliasView(q: Tx, orgId: string, id: string): Promise<AliasView> {
  const row = await q.gatewayModel.findUnique({ where: { id }, select: aliasViewSelect });
  if (!row) throw aliasGone();
  const keys = await keysNaming(q, orgId, [row.name]);
  return toAliasView(row, keys.get(row.name) ?? []);
}
