/**
 * The `keys` section of the snapshot from Postgres: every key a proxy may need to know about, as
 * hashes. A key revoked within the last day stays in (with `revokedAt`), so proxies answer
 * `key_revoked` rather than `invalid_api_key` for it.
 */
import type { SnapshotKey } from "@switchyard/core";
import type { Tx } from "@switchyard/db";

const revokedKeysKeptMs = 86_400_000;

export async function compileKeysSection(tx: Tx, now: Date): Promise<SnapshotKey[]> {
  const keys = await tx.apiKey.findMany({
    where: { OR: [{ revokedAt: null }, { revokedAt: { gt: new Date(now.getTime() - revokedKeysKeptMs) } }] },
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
  });
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return keys
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
    }));
}
