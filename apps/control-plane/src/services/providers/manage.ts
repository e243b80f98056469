/**
 * Creating, renaming/re-pointing and deleting providers. Every change goes through `writeConfig`,
 * so it is audited (never with a secret: credentials appear as their last 4 characters) and the
 * next snapshot carries it to the proxies.
 */
import { randomUUID } from "node:crypto";
import {
  AppError,
  baseUrlProblem,
  type CreateProviderInput,
  originChangeNeedsKey,
  type ProviderView,
  sameOrigin,
  type UpdateProviderInput,
} from "@switchyard/core";
import type { Db, Tx } from "@switchyard/db";
import type { Actor } from "../audit/record.ts";
import { type ConfigBus, writeConfig } from "../config/publish.ts";
import { type CredentialVault, credentialLast4 } from "./vault.ts";
import { getProviderView, providerGone } from "./view.ts";

export type ProviderDeps = { db: Db; bus: ConfigBus | null; vault: CredentialVault };
export type ProviderCaller = { actor: Actor; orgId: string };

const nameTaken = (name: string) =>
  new AppError("conflict", `A provider named "${name}" already exists`, {
    fieldErrors: { name: [`A provider named "${name}" already exists: choose another name`] },
  });

async function assertNameFree(tx: Tx, orgId: string, name: string, exceptId?: string) {
  const clash = await tx.provider.findFirst({
    where: { orgId, name, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw nameTaken(name);
}

export async function createProvider(
  deps: ProviderDeps,
  caller: ProviderCaller,
  input: CreateProviderInput,
): Promise<ProviderView> {
  const { result } = await writeConfig(deps, caller.actor, async (tx) => {
    await assertNameFree(tx, caller.orgId, input.name);
    const providerId = randomUUID();
    let credential: { id: string; last4: string } | null = null;
    await tx.provider.create({
      data: {
        id: providerId,
        orgId: caller.orgId,
        name: input.name,
        kind: input.kind,
        baseUrl: input.baseUrl,
        inCluster: input.inCluster,
      },
    });
    if (input.apiKey) {
      const id = randomUUID();
      const sealed = deps.vault.sealAtRest(input.apiKey, id);
      credential = { id, last4: credentialLast4(input.apiKey) };
      await tx.providerCredential.create({
        data: { id, providerId, role: "primary", ...sealed, last4: credential.last4 },
      });
    }
    return {
      result: await getProviderView(tx, caller.orgId, providerId),
      audit: {
        action: "providers.create",
        targetType: "provider",
        targetId: providerId,
        after: {
          name: input.name,
          kind: input.kind,
          baseUrl: input.baseUrl,
          inCluster: input.inCluster,
          credential,
        },
      },
    };
  });
  return result;
}

export const staleProvider = () =>
  new AppError(
    "conflict",
    "This provider was changed by someone else since you opened it. Reload, then save again.",
  );

export async function updateProvider(
  deps: ProviderDeps,
  caller: ProviderCaller,
  input: UpdateProviderInput,
): Promise<ProviderView> {
  const { result } = await writeConfig(deps, caller.actor, async (tx) => {
    const current = await tx.provider.findFirst({
      where: { id: input.id, orgId: caller.orgId },
      select: {
        name: true,
        kind: true,
        baseUrl: true,
        inCluster: true,
        version: true,
        credentials: { where: { role: { in: ["primary", "fallback"] } }, select: { id: true, last4: true } },
      },
    });
    if (!current) throw providerGone();
    if (current.version !== input.version) throw staleProvider();
    if (input.name !== undefined && input.name !== current.name)
      await assertNameFree(tx, caller.orgId, input.name, input.id);
    const next = {
      name: input.name ?? current.name,
      baseUrl: input.baseUrl ?? current.baseUrl,
      inCluster: input.inCluster ?? current.inCluster,
    };
    // The merged result is checked: unticking in-cluster under a private base URL is refused too.
    if (input.baseUrl !== undefined || input.inCluster !== undefined) {
      const problem = baseUrlProblem(current.kind, next.baseUrl, { inCluster: next.inCluster });
      if (problem) throw new AppError("invalid_request", problem, { fieldErrors: { baseUrl: [problem] } });
    }
    // A stored key goes only to the origin it was entered for: moving elsewhere takes a new key.
    const moved = !sameOrigin(current.baseUrl, next.baseUrl);
    if (moved && current.credentials.length > 0 && input.apiKey === undefined) {
      throw new AppError("invalid_request", originChangeNeedsKey, {
        fieldErrors: { apiKey: [originChangeNeedsKey] },
      });
    }
    if (!moved && input.apiKey !== undefined) {
      const message = "The base URL stays on the same host: change its API key with Rotate credential";
      throw new AppError("invalid_request", message, { fieldErrors: { apiKey: [message] } });
    }
    // The version in the WHERE makes the check and the write one step.
    const { count } = await tx.provider.updateMany({
      where: { id: input.id, version: input.version },
      data: { ...next, version: { increment: 1 } },
    });
    if (count === 0) throw staleProvider();
    let credential: { id: string; last4: string } | null = null;
    if (input.apiKey !== undefined) {
      // The old keys belong to the old host: retired at once, no overlap.
      await tx.providerCredential.updateMany({
        where: { id: { in: current.credentials.map((c) => c.id) } },
        data: { role: "retired", overlapUntil: new Date() },
      });
      const id = randomUUID();
      credential = { id, last4: credentialLast4(input.apiKey) };
      await tx.providerCredential.create({
        data: {
          id,
          providerId: input.id,
          role: "primary",
          ...deps.vault.sealAtRest(input.apiKey, id),
          last4: credential.last4,
        },
      });
    }
    return {
      result: await getProviderView(tx, caller.orgId, input.id),
      audit: {
        action: "providers.update",
        targetType: "provider",
        targetId: input.id,
        before: {
          name: current.name,
          baseUrl: current.baseUrl,
          inCluster: current.inCluster,
          ...(credential ? { credentials: current.credentials } : {}),
        },
        after: { ...next, ...(credential ? { credential } : {}) },
      },
    };
  });
  return result;
}

export async function deleteProvider(
  deps: ProviderDeps,
  caller: ProviderCaller,
  id: string,
): Promise<{ id: string }> {
  const { result } = await writeConfig(deps, caller.actor, async (tx) => {
    const provider = await tx.provider.findFirst({
      where: { id, orgId: caller.orgId },
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
        action: "providers.delete",
        targetType: "provider",
        targetId: id,
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
