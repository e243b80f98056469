/**
 * Provider credentials over time: retiring fallbacks when their overlap window (see
 * `rotate-credential.ts`) ends and republishing the snapshot without them (run by
 * jobs/credential-overlap.ts), and the start-up check that MASTER_KEYS opens what is stored.
 */
import type { Actor } from "../audit/record.ts";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";

type ProviderDeps = Pick<OpArgs, "db" | "bus" | "vault">;

// Audit entries of changes no person made show "system" (as the scheduled key rotation does).
const systemActor: Actor = { id: null, email: "system", ip: null };

/**
 * Retires every fallback credential whose overlap window has ended and publishes a snapshot
 * without it. Returns how many were retired. Safe on several replicas at once: a replica that
 * loses the race retires nothing and republishes an identical snapshot, which is harmless.
 */
export async function expireCredentialOverlaps(deps: ProviderDeps, now = new Date()): Promise<number> {
  const due = await deps.db.providerCredential.findMany({
    where: { role: "fallback", overlapUntil: { lte: now } },
    select: { id: true, providerId: true, last4: true, overlapUntil: true },
  });
  if (due.length === 0) return 0;
  const { result } = await writeConfig(deps, systemActor, async (tx) => {
    const { count } = await tx.providerCredential.updateMany({
      where: { id: { in: due.map((c) => c.id) }, role: "fallback", overlapUntil: { lte: now } },
      data: { role: "retired" },
    });
    return {
      result: count,
      audit: {
        action: "provider.credential_overlap_ended",
        targetType: due.length === 1 ? "provider" : "providers",
        targetId: due.length === 1 ? due[0]!.providerId : null,
        after: {
          retired: due.map((c) => ({
            providerId: c.providerId,
            credentialId: c.id,
            last4: c.last4,
            overlapUntil: c.overlapUntil?.toISOString() ?? null,
          })),
        },
      },
    };
  });
  return result;
}

/**
 * Start-up check: one stored credential of each master key version must open with MASTER_KEYS,
 * so a missing or wrong key stops the control plane with a message naming it, instead of
 * failing every later config write.
 */
export async function assertMasterKeysOpenCredentials(
  deps: Pick<ProviderDeps, "db" | "vault">,
): Promise<void> {
  const versions = await deps.db.providerCredential.findMany({
    distinct: ["keyVersion"],
    select: { id: true, keyVersion: true, iv: true, tag: true, ciphertext: true },
  });
  for (const row of versions) deps.vault.open(row);
}
