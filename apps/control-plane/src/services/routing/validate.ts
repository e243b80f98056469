/** Checks of routing input against the database, as field errors the forms show. */
import { type AliasTargetInput, AppError, type ModelKind } from "@switchyard/core";
import type { Tx } from "@switchyard/db";

const fieldError = (code: "conflict" | "invalid_request", field: string, message: string) =>
  new AppError(code, message, { fieldErrors: { [field]: [message] } });

/** One deployment per provider and upstream model (also a database constraint); said on the field. */
export async function assertDeploymentFree(
  tx: Tx,
  providerId: string,
  upstreamModel: string,
  exceptId?: string,
): Promise<void> {
  const clash = await tx.deployment.findFirst({
    where: { providerId, upstreamModel, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true, provider: { select: { name: true } } },
  });
  if (clash)
    throw fieldError(
      "conflict",
      "upstreamModel",
      `Provider "${clash.provider.name}" already has a deployment of "${upstreamModel}": edit that one instead`,
    );
}

/** The provider, of the caller's organisation, a deployment is created on or moved to. */
export async function assertProviderExists(tx: Tx, orgId: string, providerId: string): Promise<void> {
  const found = await tx.provider.findFirst({ where: { id: providerId, orgId }, select: { id: true } });
  if (!found)
    throw fieldError("invalid_request", "providerId", "This provider no longer exists: choose another one");
}

const kindPhrase: Record<ModelKind, string> = { chat: "a chat", embedding: "an embedding" };

/** Alias names are unique (also a database constraint): the name clients send picks one alias. */
export async function assertAliasNameFree(tx: Tx, name: string, exceptId?: string): Promise<void> {
  const clash = await tx.gatewayModel.findFirst({
    where: { name, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash)
    throw fieldError("conflict", "name", `An alias named "${name}" already exists: choose another name`);
}

/**
 * Every target is a deployment of the caller's organisation and of the alias's kind (a chat alias
 * sent to an embedding model would fail every call). Refused on `targets`, naming the position.
 */
export async function checkTargets(
  tx: Tx,
  orgId: string,
  kind: ModelKind,
  targets: readonly AliasTargetInput[],
): Promise<void> {
  const found = await tx.deployment.findMany({
    where: { id: { in: targets.map((t) => t.deploymentId) }, provider: { orgId } },
    select: { id: true, kind: true, upstreamModel: true, provider: { select: { name: true } } },
  });
  const byId = new Map(found.map((d) => [d.id, d]));
  const problems: string[] = [];
  targets.forEach((t, i) => {
    const d = byId.get(t.deploymentId);
    if (!d) problems.push(`Deployment ${i + 1} does not exist (it may have been deleted): choose another`);
    else if (d.kind !== kind)
      problems.push(
        `Deployment ${i + 1} (${d.provider.name}/${d.upstreamModel}) is ${kindPhrase[d.kind]} deployment: ${kindPhrase[kind]} alias needs ${kind} deployments`,
      );
  });
  if (problems.length > 0)
    throw new AppError("invalid_request", problems.join(". "), { fieldErrors: { targets: problems } });
}

/** Replaces an alias's targets: position is the order given. */
export async function writeTargets(
  tx: Tx,
  modelId: string,
  targets: readonly AliasTargetInput[],
): Promise<void> {
  await tx.aliasTarget.deleteMany({ where: { modelId } });
  await tx.aliasTarget.createMany({
    data: targets.map((t, position) => ({
      modelId,
      deploymentId: t.deploymentId,
      weight: t.weight,
      position,
    })),
  });
}
