/**
 * Rotation keeps the key's id: a new secret is issued and every other live secret keeps working
 * for the grace period (0 = it stops at once). Manual rotations (keys.rotate) and the scheduled
 * job share `rotateSecretInTx`; both go through writeConfig, so each is audited and published.
 */
import { AppError, type KeyWithSecret, type RotateKeyInput } from "@switchyard/core";
import { displayPrefix, generateApiKeySecret, hashApiKey } from "@switchyard/core/keys/secret";
import type { Tx } from "@switchyard/db";
import type { AuditEntry } from "../audit/record.ts";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { addDays } from "./validate.ts";
import { type KeyRow, keyViewSelect, toKeyView } from "./view.ts";

export type RotationTrigger = "manual" | "schedule";

export type RotatedSecret = {
  secret: string;
  /** When the previous secret(s) stop working; null when the key had no live secret. */
  oldSecretValidUntil: Date | null;
};

/**
 * Issues a new secret for `key` inside the caller's config-write transaction: other live secrets
 * end at now + grace (never later than they already would), and a scheduled policy restarts its clock.
 */
export async function rotateSecretInTx(
  tx: Tx,
  key: Pick<KeyRow, "id" | "rotationDays">,
  graceMinutes: number,
  now: Date,
): Promise<RotatedSecret> {
  const validUntil = new Date(now.getTime() + graceMinutes * 60_000);
  const live = await tx.apiKeySecret.count({
    where: { keyId: key.id, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
  });
  await tx.apiKeySecret.updateMany({ where: { keyId: key.id, validUntil: null }, data: { validUntil } });
  await tx.apiKeySecret.updateMany({
    where: { keyId: key.id, validUntil: { gt: validUntil } },
    data: { validUntil },
  });
  const secret = generateApiKeySecret();
  await tx.apiKeySecret.create({
    data: { keyId: key.id, hash: hashApiKey(secret), prefix: displayPrefix(secret), createdAt: now },
  });
  await tx.apiKey.update({
    where: { id: key.id },
    data: { nextRotationAt: key.rotationDays === null ? null : addDays(now, key.rotationDays) },
  });
  return { secret, oldSecretValidUntil: live > 0 ? validUntil : null };
}

export function revokedKeyRotationError(): AppError {
  return new AppError(
    "conflict",
    "This key is revoked, so it cannot be rotated. Create a new key for whoever still needs access.",
  );
}

/** The audit entry of a rotation: the key before and after (prefixes only), how and with what grace. */
export function rotationAudit(
  before: KeyRow,
  after: KeyRow,
  now: Date,
  info: { trigger: RotationTrigger; graceMinutes: number; oldSecretValidUntil: Date | null },
): AuditEntry {
  return {
    action: "key.rotated",
    targetType: "api_key",
    targetId: before.id,
    targetName: before.name,
    before: toKeyView(before, now),
    after: {
      ...toKeyView(after, now),
      trigger: info.trigger,
      graceMinutes: info.graceMinutes,
      oldSecretValidUntil: info.oldSecretValidUntil?.toISOString() ?? null,
    },
  };
}

export async function rotateKey({
  db,
  bus,
  vault,
  actor,
  input,
}: OpArgs<RotateKeyInput>): Promise<KeyWithSecret> {
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const now = new Date();
    const before = await tx.apiKey.findFirst({
      where: { id: input.id, orgId: actor.orgId },
      select: keyViewSelect,
    });
    if (!before) throw new AppError("not_found", "This key does not exist (it may have been deleted)");
    if (before.revokedAt) throw revokedKeyRotationError();
    const rotated = await rotateSecretInTx(tx, before, input.graceMinutes, now);
    const after = await tx.apiKey.findUniqueOrThrow({ where: { id: input.id }, select: keyViewSelect });
    return {
      result: { key: toKeyView(after, now), secret: rotated.secret },
      audit: rotationAudit(before, after, now, {
        trigger: "manual",
        graceMinutes: input.graceMinutes,
        oldSecretValidUntil: rotated.oldSecretValidUntil,
      }),
    };
  });
  return result;
}
