/**
 * Edits a key's settings with optimistic concurrency: the edit names the version it read, and
 * only a row still at that version is changed, so of two concurrent saves exactly one wins.
 */
import { AppError, type KeyView, scheduledRotationNeedsWebhook, type UpdateKeyInput } from "@switchyard/core";
import type { Prisma } from "@switchyard/db";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { addDays, assertKeyNameFree, checkModels, uniqueTags } from "./validate.ts";
import { keyViewSelect, toKeyView } from "./view.ts";

export const keyConflictMessage =
  "This key was changed by someone else since you opened it. Reload to see the changes, then save again.";

export async function updateKey({ db, bus, vault, actor, input }: OpArgs<UpdateKeyInput>): Promise<KeyView> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const now = new Date();
    const before = await tx.apiKey.findFirst({
      where: { id: input.id, orgId: actor.orgId },
      select: keyViewSelect,
    });
    if (!before) throw new AppError("not_found", "This key does not exist (it may have been deleted)");
    if (before.version !== input.version) throw new AppError("conflict", keyConflictMessage);
    if (before.revokedAt) {
      throw new AppError(
        "conflict",
        "This key is revoked, so it can no longer be changed. Create a new key.",
      );
    }

    const data: Prisma.ApiKeyUpdateManyMutationInput = { version: { increment: 1 } };
    if (input.name !== undefined) {
      // Saving other fields of a key whose name clashed before this rule existed still works.
      if (input.name !== before.name) {
        await assertKeyNameFree(tx, actor.orgId, input.name, input.id);
      }
      data.name = input.name;
    }
    if (input.allowedModels !== undefined) data.allowedModels = await checkModels(tx, input.allowedModels);
    if (input.rpm !== undefined) data.rpm = input.rpm;
    if (input.tpm !== undefined) data.tpm = input.tpm;
    if (input.tags !== undefined) data.tags = uniqueTags(input.tags);
    if (input.metadata !== undefined) data.metadata = input.metadata as Prisma.InputJsonObject;
    if (input.expiresAt !== undefined) {
      const expiresAt = input.expiresAt === null ? null : new Date(input.expiresAt);
      const unchanged = expiresAt?.getTime() === before.expiresAt?.getTime();
      // A past expiry already saved may stay as it is; a newly chosen one must be in the future.
      if (expiresAt && !unchanged && expiresAt <= now) {
        throw new AppError("invalid_request", "Choose a time in the future", {
          fieldErrors: { expiresAt: ["Choose a time in the future"] },
        });
      }
      data.expiresAt = expiresAt;
    }
    if (input.rotationGraceMinutes != null) data.rotationGraceMinutes = input.rotationGraceMinutes;
    const rotationDays = input.rotationDays === undefined ? before.rotationDays : input.rotationDays;
    const webhook = input.notifyWebhookUrl === undefined ? before.notifyWebhookUrl : input.notifyWebhookUrl;
    if (rotationDays !== null && webhook === null) {
      throw new AppError("invalid_request", scheduledRotationNeedsWebhook, {
        fieldErrors: { notifyWebhookUrl: [scheduledRotationNeedsWebhook] },
      });
    }
    data.notifyWebhookUrl = webhook;
    if (rotationDays !== before.rotationDays) {
      // A new or changed policy starts its clock when it is saved.
      data.rotationDays = rotationDays;
      data.nextRotationAt = rotationDays === null ? null : addDays(now, rotationDays);
    }

    const { count } = await tx.apiKey.updateMany({ where: { id: input.id, version: input.version }, data });
    if (count === 0) throw new AppError("conflict", keyConflictMessage);
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id: input.id }, select: keyViewSelect });
    const after = toKeyView(row, now);
    return {
      result: after,
      audit: {
        action: "key.updated",
        targetType: "api_key",
        targetId: input.id,
        targetName: after.name,
        before: toKeyView(before, now),
        after,
      },
    };
  });
  return result;
}
