/**
 * Rotates a provider's credential with an overlap window: the new key is primary at once, the old
 * one stays a fallback the proxy tries on a 401 until the window ends (then `credentials.ts`'s job
 * retires it); 0 minutes retires it at once.
 */
import { randomUUID } from "node:crypto";
import type { ProviderView, RotateProviderCredentialInput } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { credentialLast4 } from "./vault.ts";
import { getProviderView, providerGone } from "./view.ts";

export async function rotateProviderCredential({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<RotateProviderCredentialInput>): Promise<ProviderView> {
  const now = new Date();
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const provider = await tx.provider.findFirst({
      where: { id: input.id, orgId: actor.orgId },
      select: {
        name: true,
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
      data: { id, providerId: input.id, role: "primary", ...vault.sealAtRest(input.apiKey, id), last4 },
    });
    return {
      result: await getProviderView(tx, actor.orgId, input.id),
      audit: {
        action: "provider.credential_rotated",
        targetType: "provider",
        targetId: input.id,
        targetName: provider.name,
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
