/**
 * The `providers` and `models` sections of the snapshot from Postgres: providers with their
 * credentials re-sealed for the data plane, and the aliases that have at least one target.
 */
import { RoutingStrategy, type SnapshotModel, type SnapshotProvider } from "@switchyard/core";
import type { Tx } from "@switchyard/db";
import type { CredentialVault } from "../providers/vault.ts";

export async function compileProvidersSection(
  tx: Tx,
  vault: CredentialVault,
  now: Date,
): Promise<SnapshotProvider[]> {
  const providers = await tx.provider.findMany({
    select: {
      id: true,
      name: true,
      kind: true,
      baseUrl: true,
      // The primary, and the previous one while its rotation overlap lasts (see services/providers).
      credentials: {
        where: {
          OR: [{ role: "primary" }, { role: "fallback", overlapUntil: { gt: now } }],
        },
        select: { id: true, role: true, keyVersion: true, iv: true, tag: true, ciphertext: true },
        orderBy: { createdAt: "desc" },
      },
    },
    orderBy: { name: "asc" },
  });
  return providers.map((p) => ({
    ...p,
    // Opened with the master key and sealed again for the data plane (DATA_PLANE_TOKEN-derived key).
    credentials: p.credentials
      .sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1))
      .map((c) => ({
        id: c.id,
        role: c.role === "primary" ? ("primary" as const) : ("fallback" as const),
        sealed: vault.sealForSnapshot(c),
      })),
  }));
}

/**
 * Aliases with their targets in position order. An alias without targets serves nothing and is
 * left out. The alias's `pricing` is its first target's price: what a proxy that predates
 * deployment prices bills (it takes `deployments[0]`).
 */
export async function compileModelsSection(tx: Tx): Promise<SnapshotModel[]> {
  const aliases = await tx.gatewayModel.findMany({
    select: {
      name: true,
      kind: true,
      strategy: true,
      targets: {
        select: {
          weight: true,
          deployment: {
            select: {
              id: true,
              providerId: true,
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
            },
          },
        },
        orderBy: { position: "asc" },
      },
    },
    orderBy: { name: "asc" },
  });
  return aliases.flatMap((a) => {
    const deployments = a.targets.map(({ weight, deployment: d }) => ({
      id: d.id,
      providerId: d.providerId,
      upstreamModel: d.upstreamModel,
      kind: d.kind,
      weight,
      contextWindow: d.contextWindow,
      maxOutputTokens: d.maxOutputTokens,
      region: d.region,
      tags: d.tags,
      pricing: {
        inputMicrosPerMTok: Number(d.inputMicrosPerMTok),
        outputMicrosPerMTok: Number(d.outputMicrosPerMTok),
      },
      timeouts: {
        connectMs: d.connectMs,
        firstByteMs: d.firstByteMs,
        totalMs: d.totalMs,
        firstTokenMs: d.firstTokenMs,
        betweenChunksMs: d.betweenChunksMs,
      },
    }));
    const first = deployments[0];
    if (!first) return [];
    return [
      {
        name: a.name,
        kind: a.kind,
        strategy: RoutingStrategy.catch("priority").parse(a.strategy),
        pricing: first.pricing,
        deployments,
      },
    ];
  });
}
