/** Reads deployments as the dashboard shows them, with the aliases that route to each. */
import { AppError, type DeploymentView } from "@switchyard/core";
import type { Prisma, Tx } from "@switchyard/db";

export const deploymentViewSelect = {
  id: true,
  providerId: true,
  provider: { select: { name: true } },
  upstreamModel: true,
  kind: true,
  contextWindow: true,
  maxOutputTokens: true,
  region: true,
  tags: true,
  connectMs: true,
  firstByteMs: true,
  firstTokenMs: true,
  betweenChunksMs: true,
  totalMs: true,
  inputMicrosPerMTok: true,
  outputMicrosPerMTok: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  aliases: { select: { model: { select: { name: true } } } },
} satisfies Prisma.DeploymentSelect;

export type DeploymentRow = Prisma.DeploymentGetPayload<{ select: typeof deploymentViewSelect }>;

export function toDeploymentView(d: DeploymentRow): DeploymentView {
  return {
    id: d.id,
    providerId: d.providerId,
    providerName: d.provider.name,
    upstreamModel: d.upstreamModel,
    kind: d.kind,
    contextWindow: d.contextWindow,
    maxOutputTokens: d.maxOutputTokens,
    region: d.region,
    tags: d.tags,
    timeouts: {
      connectMs: d.connectMs,
      firstByteMs: d.firstByteMs,
      firstTokenMs: d.firstTokenMs,
      betweenChunksMs: d.betweenChunksMs,
      totalMs: d.totalMs,
    },
    pricing: {
      inputMicrosPerMTok: Number(d.inputMicrosPerMTok),
      outputMicrosPerMTok: Number(d.outputMicrosPerMTok),
    },
    usedBy: d.aliases.map((t) => t.model.name).sort(),
    version: d.version,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** How a deployment is named in messages and the audit log: `provider/upstream-model`. */
export function deploymentLabel(d: { provider: { name: string }; upstreamModel: string }): string {
  return `${d.provider.name}/${d.upstreamModel}`;
}

export const deploymentGone = () =>
  new AppError("not_found", "This deployment no longer exists: it may have been deleted. Reload the list.");

export const staleDeployment = () =>
  new AppError(
    "conflict",
    "This deployment was changed by someone else since you opened it. Reload, then save again.",
  );

/** A deployment of the caller's organisation (through its provider). */
export async function findDeployment(q: Tx, orgId: string, id: string): Promise<DeploymentRow | null> {
  return q.deployment.findFirst({ where: { id, provider: { orgId } }, select: deploymentViewSelect });
}

export async function getDeploymentView(q: Tx, orgId: string, id: string): Promise<DeploymentView> {
  const row = await findDeployment(q, orgId, id);
  if (!row) throw deploymentGone();
  return toDeploymentView(row);
}
