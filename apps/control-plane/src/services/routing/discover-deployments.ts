/**
 * Lists a provider's models, for the admin to add as deployments with one click: the same call,
 * address rules and outcome classes as the connection test. Only the model ids of a 2xx answer are
 * read, and only ids that look like model names, so the answer cannot be used to read what an
 * arbitrary service says. Audited, as the connection test is: it is a real call with the stored key.
 */
import type { DiscoverDeploymentsInput, DiscoveredModels } from "@switchyard/core";
import { recordAudit } from "../audit/record.ts";
import type { OpArgs } from "../op.ts";
import { callModelsEndpoint, type ResolveHost } from "../providers/test-connection.ts";
import { providerGone } from "../providers/view.ts";

/** More than any provider lists; the rest are left out. */
const maxModels = 1000;
const modelId = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

/** Model ids of an OpenAI- or Anthropic-style `{ data: [{ id }] }` answer, de-duplicated, sorted. */
export function modelIds(body: string): string[] {
  let data: unknown;
  try {
    data = (JSON.parse(body) as { data?: unknown } | null)?.data;
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  const ids = new Set<string>();
  for (const item of data) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === "string" && modelId.test(id)) ids.add(id);
    if (ids.size >= maxModels) break;
  }
  return [...ids].sort();
}

export async function discoverDeployments(
  { db, vault, actor, input }: OpArgs<DiscoverDeploymentsInput>,
  options: { timeoutMs?: number; resolve?: ResolveHost } = {},
): Promise<DiscoveredModels> {
  const provider = await db.provider.findFirst({
    where: { id: input.providerId, orgId: actor.orgId },
    select: {
      name: true,
      kind: true,
      baseUrl: true,
      inCluster: true,
      credentials: {
        where: { role: "primary" },
        select: { id: true, keyVersion: true, iv: true, tag: true, ciphertext: true, last4: true },
        orderBy: { createdAt: "desc" },
        take: 1,
      },
      deployments: { select: { upstreamModel: true } },
    },
  });
  if (!provider) throw providerGone();
  const credential = provider.credentials[0] ?? null;
  const apiKey = credential ? vault.open(credential) : null;
  const { result, body } = await callModelsEndpoint(provider, apiKey, options);
  const added = new Set(provider.deployments.map((d) => d.upstreamModel));
  const models = (body === null ? [] : modelIds(body)).map((id) => ({
    upstreamModel: id,
    added: added.has(id),
  }));

  await db.$transaction((tx) =>
    recordAudit(tx, actor, {
      action: "provider.models_listed",
      targetType: "provider",
      targetId: input.providerId,
      targetName: provider.name,
      after: { outcome: result.outcome, status: result.status, models: models.length },
    }),
  );
  return { outcome: result.outcome, models };
}
