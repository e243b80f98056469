/**
 * Compiles the GatewayConfig snapshot from Postgres: keys as hashes, models with their
 * deployments, providers. Runs inside the config-write transaction (see publish.ts).
 */
import { GatewayConfig } from "@switchyard/core";
import type { Tx } from "@switchyard/db";
import type { CredentialVault } from "../providers/vault.ts";

export async function compileGatewayConfig(
  tx: Tx,
  version: number,
  vault: CredentialVault,
  now = new Date(),
): Promise<GatewayConfig> {
  const [keys, providers, models] = await oneAtATime([
    tx.apiKey.findMany({
      where: { OR: [{ revokedAt: null }, { revokedAt: { gt: new Date(now.getTime() - 86_400_000) } }] },
      select: {
        id: true,
        name: true,
        userId: true,
        teamId: true,
        allowedModels: true,
        rpm: true,
        tpm: true,
        expiresAt: true,
        revokedAt: true,
        secrets: {
          where: { OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
          select: { hash: true, validUntil: true },
        },
      },
      orderBy: { createdAt: "asc" },
    }),
    tx.provider.findMany({
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
    }),
    tx.gatewayModel.findMany({
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
    }),
  ]);

  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const config: GatewayConfig = {
    version,
    createdAt: now.toISOString(),
    keys: keys
      .filter((k) => k.secrets.length > 0)
      .map((k) => ({
        id: k.id,
        name: k.name,
        hashes: k.secrets.map((s) => ({ hash: s.hash, validUntil: iso(s.validUntil) })),
        userId: k.userId,
        teamId: k.teamId,
        allowedModels: k.allowedModels,
        rpm: k.rpm,
        tpm: k.tpm,
        expiresAt: iso(k.expiresAt),
        revokedAt: iso(k.revokedAt),
      })),
    providers: providers.map((p) => ({
      ...p,
      // Opened with the master key and sealed again for the data plane (DATA_PLANE_TOKEN-derived key).
      credentials: p.credentials
        .sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1))
        .map((c) => ({
          id: c.id,
          role: c.role === "primary" ? ("primary" as const) : ("fallback" as const),
          sealed: vault.sealForSnapshot(c),
        })),
    })),
    models: models
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
      })),
  };
  // The proxy validates with the same schema; failing here keeps a bad snapshot from ever shipping.
  return GatewayConfig.parse(config);
}

/**
 * Awaits Prisma queries in turn. An interactive transaction holds one connection, which runs one
 * query at a time (node-postgres deprecates queueing them); Prisma queries start only when awaited.
 */
async function oneAtATime<T extends readonly unknown[]>(
  queries: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results: unknown[] = [];
  for (const q of queries) results.push(await q);
  return results as { -readonly [K in keyof T]: Awaited<T[K]> };
}
