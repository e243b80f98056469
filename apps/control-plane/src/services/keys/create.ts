/** Creates an API key: the secret is generated here, returned once, and only its hash is stored. */
import { type CreateKeyInput, defaultRotationGraceMinutes, type KeyWithSecret } from "@switchyard/core";
import { displayPrefix, generateApiKeySecret, hashApiKey } from "@switchyard/core/keys/secret";
import type { Prisma } from "@switchyard/db";
import { writeConfig } from "../config/publish.ts";
import { alreadyCreated } from "../idempotency.ts";
import type { OpArgs } from "../op.ts";
import { addDays, assertKeyNameFree, checkModels, resolveOwner, uniqueTags } from "./validate.ts";
import { keyViewSelect, toKeyView } from "./view.ts";

export async function createKey({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<CreateKeyInput>): Promise<KeyWithSecret> {
  const secret = generateApiKeySecret();
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    // Under the config lock: of concurrent repeats, the first creates and the others find it here.
    if (input.idempotencyKey) {
      const earlier = await tx.apiKey.findFirst({
        where: { orgId: actor.orgId, idempotencyKey: input.idempotencyKey },
        select: { id: true },
      });
      if (earlier) throw alreadyCreated("key");
    }
    await assertKeyNameFree(tx, actor.orgId, input.name);
    const now = new Date();
    const allowedModels = await checkModels(tx, input.allowedModels);
    const owner = await resolveOwner(tx, actor.orgId, input.owner);
    const rotationDays = input.rotationDays ?? null;
    const row = await tx.apiKey.create({
      data: {
        orgId: actor.orgId,
        name: input.name,
        ...owner,
        allowedModels,
        rpm: input.rpm ?? null,
        tpm: input.tpm ?? null,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        tags: uniqueTags(input.tags),
        metadata: input.metadata as Prisma.InputJsonObject,
        rotationDays,
        rotationGraceMinutes: input.rotationGraceMinutes ?? defaultRotationGraceMinutes,
        nextRotationAt: rotationDays === null ? null : addDays(now, rotationDays),
        notifyWebhookUrl: input.notifyWebhookUrl ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        createdAt: now,
        secrets: { create: { hash: hashApiKey(secret), prefix: displayPrefix(secret), createdAt: now } },
      },
      select: keyViewSelect,
    });
    const key = toKeyView(row, now);
    return {
      result: key,
      audit: {
        action: "key.created",
        targetType: "api_key",
        targetId: key.id,
        targetName: key.name,
        after: key,
      },
    };
  });
  return { key: result, secret };
}
