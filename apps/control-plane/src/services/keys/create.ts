/** Creates an API key: the secret is generated here, returned once, and only its hash is stored. */
import { type CreateKeyInput, defaultRotationGraceMinutes, type KeyWithSecret } from "@switchyard/core";
import { displayPrefix, generateApiKeySecret, hashApiKey } from "@switchyard/core/keys/secret";
import type { Prisma } from "@switchyard/db";
import type { Actor } from "../audit/record.ts";
import { writeConfig } from "../config/publish.ts";
import { addDays, checkModels, resolveOwner, uniqueTags } from "./validate.ts";
import { keyViewSelect, toKeyView } from "./view.ts";

/** What a config write needs (database, config bus, credential vault), passed through to writeConfig. */
export type KeyDeps = Parameters<typeof writeConfig>[0];

export async function createKey(
  deps: KeyDeps & { actor: Actor; orgId: string; input: CreateKeyInput },
): Promise<KeyWithSecret> {
  const { actor, orgId, input } = deps;
  const secret = generateApiKeySecret();
  const { result } = await writeConfig(deps, actor, async (tx) => {
    const now = new Date();
    const allowedModels = await checkModels(tx, input.allowedModels);
    const owner = await resolveOwner(tx, orgId, input.owner);
    const rotationDays = input.rotationDays ?? null;
    const row = await tx.apiKey.create({
      data: {
        orgId,
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
        createdAt: now,
        secrets: { create: { hash: hashApiKey(secret), prefix: displayPrefix(secret), createdAt: now } },
      },
      select: keyViewSelect,
    });
    const key = toKeyView(row, now);
    return {
      result: key,
      audit: { action: "key.created", targetType: "api_key", targetId: key.id, after: key },
    };
  });
  return { key: result, secret };
}
