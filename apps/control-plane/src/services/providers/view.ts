/** Reads providers as the dashboard sees them: credentials masked to their last 4 characters. */
import { AppError, type ProviderView } from "@switchyard/core";
import type { Prisma, Tx } from "@switchyard/db";

// Never selects the sealed columns: what leaves here can go to a browser.
export const providerViewSelect = {
  id: true,
  name: true,
  kind: true,
  baseUrl: true,
  inCluster: true,
  version: true,
  createdAt: true,
  credentials: {
    where: { role: { in: ["primary", "fallback"] } },
    select: { id: true, role: true, last4: true, createdAt: true, overlapUntil: true },
    orderBy: { createdAt: "desc" },
  },
  deployments: { select: { aliases: { select: { model: { select: { name: true } } } } } },
} satisfies Prisma.ProviderSelect;

type ProviderRow = Prisma.ProviderGetPayload<{ select: typeof providerViewSelect }>;

export function toProviderView(p: ProviderRow, now: Date): ProviderView {
  const credentials = p.credentials
    // A fallback whose overlap has ended no longer serves, even before the expiry job retires it.
    .filter((c) => c.role === "primary" || (c.overlapUntil !== null && c.overlapUntil > now))
    .sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1))
    .map((c) => ({
      id: c.id,
      role: c.role === "primary" ? ("primary" as const) : ("fallback" as const),
      last4: c.last4,
      createdAt: c.createdAt.toISOString(),
      overlapUntil: c.role === "fallback" && c.overlapUntil ? c.overlapUntil.toISOString() : null,
    }));
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    baseUrl: p.baseUrl,
    inCluster: p.inCluster,
    version: p.version,
    credentials,
    models: [...new Set(p.deployments.flatMap((d) => d.aliases.map((t) => t.model.name)))].sort(),
    createdAt: p.createdAt.toISOString(),
  };
}

export const providerGone = () =>
  new AppError("not_found", "This provider no longer exists: it may have been deleted. Reload the list.");

export async function getProviderView(q: Tx, orgId: string, id: string): Promise<ProviderView> {
  const row = await q.provider.findFirst({ where: { id, orgId }, select: providerViewSelect });
  if (!row) throw providerGone();
  return toProviderView(row, new Date());
}
