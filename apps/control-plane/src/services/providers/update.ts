/**
 * Renames or re-points a provider, with optimistic concurrency (the edit names the version it read).
 * A stored key goes only to the origin it was entered for: moving to another origin takes a new key.
 */
import { randomUUID } from "node:crypto";
import {
  AppError,
  baseUrlProblem,
  originChangeNeedsKey,
  type ProviderView,
  sameOrigin,
  type UpdateProviderInput,
} from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { assertProviderNameFree } from "./validate.ts";
import { credentialLast4 } from "./vault.ts";
import { getProviderView, providerGone } from "./view.ts";

export const staleProvider = () =>
  new AppError(
    "conflict",
    "This provider was changed by someone else since you opened it. Reload, then save again.",
  );

export async function updateProvider({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<UpdateProviderInput>): Promise<ProviderView> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const current = await tx.provider.findFirst({
      where: { id: input.id, orgId: actor.orgId },
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
      await assertProviderNameFree(tx, actor.orgId, input.name, input.id);
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
          ...vault.sealAtRest(input.apiKey, id),
          last4: credential.last4,
        },
      });
    }
    return {
      result: await getProviderView(tx, actor.orgId, input.id),
      audit: {
        action: "provider.updated",
        targetType: "provider",
        targetId: input.id,
        targetName: next.name,
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
