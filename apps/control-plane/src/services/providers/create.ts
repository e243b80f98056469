/**
 * Creates a provider, with its first credential sealed at rest when one is given. Audited (the
 * credential as its last 4 characters, never the secret) and published through `writeConfig`.
 */
import { randomUUID } from "node:crypto";
import type { CreateProviderInput, ProviderView } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import { alreadyCreated } from "../idempotency.ts";
import type { OpArgs } from "../op.ts";
import { assertProviderNameFree } from "./validate.ts";
import { credentialLast4 } from "./vault.ts";
import { getProviderView } from "./view.ts";

export async function createProvider({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<CreateProviderInput>): Promise<ProviderView> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    // Under the config lock: of concurrent repeats, the first creates and the others find it here.
    if (input.idempotencyKey) {
      const earlier = await tx.provider.findFirst({
        where: { orgId: actor.orgId, idempotencyKey: input.idempotencyKey },
        select: { id: true },
      });
      if (earlier) throw alreadyCreated("provider");
    }
    await assertProviderNameFree(tx, actor.orgId, input.name);
    const providerId = randomUUID();
    let credential: { id: string; last4: string } | null = null;
    await tx.provider.create({
      data: {
        id: providerId,
        orgId: actor.orgId,
        name: input.name,
        kind: input.kind,
        baseUrl: input.baseUrl,
        inCluster: input.inCluster,
        idempotencyKey: input.idempotencyKey ?? null,
      },
    });
    if (input.apiKey) {
      const id = randomUUID();
      const sealed = vault.sealAtRest(input.apiKey, id);
      credential = { id, last4: credentialLast4(input.apiKey) };
      await tx.providerCredential.create({
        data: { id, providerId, role: "primary", ...sealed, last4: credential.last4 },
      });
    }
    return {
      result: await getProviderView(tx, actor.orgId, providerId),
      audit: {
        action: "provider.created",
        targetType: "provider",
        targetId: providerId,
        targetName: input.name,
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
