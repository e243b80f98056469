/**
 * The `providers` and `models` sections of the snapshot from Postgres: providers with their
 * credentials re-sealed for the data plane, and the models that have at least one deployment.
 */
import type { SnapshotModel, SnapshotProvider } from "@switchyard/core";
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

export async function compileModelsSection(tx: Tx): Promise<SnapshotModel[]> {
  const models = await tx.gatewayModel.findMany({
    select: {
      name: true,
      kind: true,
      inputMicrosPerMTok: true,
      outputMicrosPerMTok: true,
      deployments: {
        select: {
          id: true,
          providerId: true,
          upstreamModel: true,
          connectMs: true,
          firstByteMs: true,
          totalMs: true,
        },
        orderBy: { createdAt: "asc" },
      },
    },
    orderBy: { name: "asc" },
  });
  return models
    .filter((m) => m.deployments.length > 0)
    .map((m) => ({
      name: m.name,
      kind: m.kind,
      pricing: {
        inputMicrosPerMTok: Number(m.inputMicrosPerMTok),
        outputMicrosPerMTok: Number(m.outputMicrosPerMTok),
      },
      deployments: m.deployments.map((d) => ({
        id: d.id,
        providerId: d.providerId,
        upstreamModel: d.upstreamModel,
        timeouts: { connectMs: d.connectMs, firstByteMs: d.firstByteMs, totalMs: d.totalMs },
      })),
    }));
}
