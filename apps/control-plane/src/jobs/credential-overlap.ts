/**
 * Retires rotated-out provider credentials when their overlap ends and republishes the snapshot
 * (services/providers/credentials.ts), on the scheduler. It asks to run again when the next overlap
 * ends, if that is sooner than its interval, so a fallback credential stops working on time.
 */
import { expireCredentialOverlaps } from "../services/providers/credentials.ts";
import type { Job } from "./scheduler.ts";

type OverlapDeps = Parameters<typeof expireCredentialOverlaps>[0];

export function credentialOverlapJob(deps: OverlapDeps & { intervalSeconds: number }): Job {
  return {
    name: "credential-overlap",
    description: "Retires rotated-out provider credentials when their overlap window ends.",
    intervalSeconds: deps.intervalSeconds,
    async run() {
      await expireCredentialOverlaps(deps);
      const soonest = await deps.db.providerCredential.findFirst({
        where: { role: "fallback", overlapUntil: { not: null } },
        orderBy: { overlapUntil: "asc" },
        select: { overlapUntil: true },
      });
      // Just past the end: the retirement reads `overlap_until <= now`.
      return { runAgainAt: soonest?.overlapUntil ? new Date(soonest.overlapUntil.getTime() + 10) : null };
    },
  };
}
