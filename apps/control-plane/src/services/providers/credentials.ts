/**
 * Provider credential lifecycle: rotation with an overlap window (the new key is primary, the old
 * one stays a fallback the proxy tries on a 401 until the window ends), the job that retires
 * fallbacks when their window ends and republishes the snapshot without them, and master-key
 * rotation (re-sealing every stored credential under the current MASTER_KEYS version).
 */
import { randomUUID } from "node:crypto";
import type { ProviderView, RotateProviderCredentialInput } from "@switchyard/core";
import type { Actor } from "../audit/record.ts";
import { writeConfig } from "../config/publish.ts";
import type { ProviderCaller, ProviderDeps } from "./manage.ts";
import { credentialLast4 } from "./vault.ts";
import { getProviderView, providerGone } from "./view.ts";

// Audit entries of changes no person made show "system" (as the scheduled key rotation does).
const systemActor: Actor = { id: null, email: "system", ip: null };

export async function rotateProviderCredential(
  deps: ProviderDeps,
  caller: ProviderCaller,
  input: RotateProviderCredentialInput,
  now = new Date(),
): Promise<ProviderView> {
  const { result } = await writeConfig(deps, caller.actor, async (tx) => {
    const provider = await tx.provider.findFirst({
      where: { id: input.id, orgId: caller.orgId },
      select: {
        credentials: {
          where: { role: { in: ["primary", "fallback"] } },
          select: { id: true, role: true, last4: true },
        },
      },
    });
    if (!provider) throw providerGone();
    const oldPrimary = provider.credentials.find((c) => c.role === "primary") ?? null;
    const oldFallbacks = provider.credentials.filter((c) => c.role === "fallback");
    // Only one previous credential overlaps: an older fallback retires now.
    if (oldFallbacks.length > 0) {
      await tx.providerCredential.updateMany({
        where: { id: { in: oldFallbacks.map((c) => c.id) } },
        data: { role: "retired", overlapUntil: now },
      });
    }
    const overlapUntil =
      input.overlapMinutes > 0 ? new Date(now.getTime() + input.overlapMinutes * 60_000) : null;
    if (oldPrimary) {
      await tx.providerCredential.update({
        where: { id: oldPrimary.id },
        data: overlapUntil ? { role: "fallback", overlapUntil } : { role: "retired", overlapUntil: now },
      });
    }
    const id = randomUUID();
    const last4 = credentialLast4(input.apiKey);
    await tx.providerCredential.create({
      data: { id, providerId: input.id, role: "primary", ...deps.vault.sealAtRest(input.apiKey, id), last4 },
    });
    return {
      result: await getProviderView(tx, caller.orgId, input.id),
      audit: {
        action: "providers.rotate_credential",
        targetType: "provider",
        targetId: input.id,
        before: {
          primary: oldPrimary && { id: oldPrimary.id, last4: oldPrimary.last4 },
          fallbacks: oldFallbacks.map((c) => ({ id: c.id, last4: c.last4 })),
        },
        after: {
          primary: { id, last4 },
          fallback: oldPrimary &&
            overlapUntil && {
              id: oldPrimary.id,
              last4: oldPrimary.last4,
              overlapUntil: overlapUntil.toISOString(),
            },
          overlapMinutes: input.overlapMinutes,
        },
      },
    };
  });
  return result;
}

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
        action: "providers.credential_overlap_ended",
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

export type CredentialOverlapJob = { stop(): Promise<void> };

/**
 * Runs `expireCredentialOverlaps` when the next overlap window ends (and at least every
 * `maxIntervalMs`, which picks up rotations made on other replicas). Errors (Postgres away) are
 * logged and retried on the next tick.
 */
export function startCredentialOverlapJob(
  deps: ProviderDeps,
  options: { maxIntervalMs?: number; log?: (line: string) => void } = {},
): CredentialOverlapJob {
  const maxIntervalMs = options.maxIntervalMs ?? 15_000;
  const log = options.log ?? ((line: string) => console.error(line));
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
      });
    }, ms);
    timer.unref();
  };

  async function tick(): Promise<void> {
    let next = maxIntervalMs;
    try {
      await expireCredentialOverlaps(deps);
      const soonest = await deps.db.providerCredential.findFirst({
        where: { role: "fallback", overlapUntil: { not: null } },
        orderBy: { overlapUntil: "asc" },
        select: { overlapUntil: true },
      });
      if (soonest?.overlapUntil) {
        next = Math.min(maxIntervalMs, Math.max(50, soonest.overlapUntil.getTime() - Date.now() + 10));
      }
    } catch (err) {
      log(
        `[providers] retiring expired credential overlaps failed: ${err instanceof Error ? err.message : err}`,
      );
    }
    schedule(next);
  }

  schedule(0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Master-key rotation: re-seals every stored credential that is not under the current
 * MASTER_KEYS version. Afterwards the old versions can be dropped from MASTER_KEYS.
 */
export async function reencryptCredentials(
  deps: ProviderDeps,
  actor: Actor,
): Promise<{ reencrypted: number; keyVersion: number }> {
  const keyVersion = deps.vault.currentKeyVersion;
  const { result } = await writeConfig(deps, actor, async (tx) => {
    const stale = await tx.providerCredential.findMany({
      where: { keyVersion: { not: keyVersion } },
      select: { id: true, keyVersion: true, iv: true, tag: true, ciphertext: true },
    });
    for (const row of stale) {
      const sealed = deps.vault.sealAtRest(deps.vault.open(row), row.id);
      await tx.providerCredential.update({ where: { id: row.id }, data: sealed });
    }
    const fromVersions = [...new Set(stale.map((r) => r.keyVersion))].sort((a, b) => a - b);
    return {
      result: { reencrypted: stale.length, keyVersion },
      audit: {
        action: "providers.reencrypt",
        targetType: "provider_credentials",
        after: { reencrypted: stale.length, keyVersion, fromVersions },
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
