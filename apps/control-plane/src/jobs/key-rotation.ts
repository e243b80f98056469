/**
 * Scheduled key rotation (ADR 0005). Every interval, each key whose policy is due is rotated in
 * its own config write (audited as "system", published to every proxy), its owner gets an
 * in-dashboard notice, and the new secret is POSTed to the key's webhook: the only place it goes.
 * Runs on the scheduler (one replica at a time); besides, a key is claimed under the config lock and
 * its row lock (`FOR UPDATE SKIP LOCKED`) and re-checked, so a rotation made meanwhile (by hand, or
 * by an older replica without the scheduler) is never repeated.
 */
import type { KeyRotatedWebhook } from "@switchyard/core";
import type { Prisma } from "@switchyard/db";
import { log } from "../log.ts";
import { recordAudit } from "../services/audit/record.ts";
import { writeConfig } from "../services/config/publish.ts";
import { rotateSecretInTx, rotationAudit } from "../services/keys/rotate.ts";
import { keyViewSelect } from "../services/keys/view.ts";
import { createNotification } from "../services/notifications/notifications.ts";
import type { Job } from "./scheduler.ts";
import { systemActor } from "./system-actor.ts";
import { postWebhook, type WebhookOptions, type WebhookOutcome } from "./webhook.ts";

export type KeyRotationDeps = Parameters<typeof writeConfig>[0] & {
  webhook?: WebhookOptions;
};

/**
 * The one statement of "this key is due for scheduled rotation at `now`": it has a policy and a
 * webhook to send the secret to, it is live (not revoked, not expired), and its time has come.
 */
export function dueForRotation(now: Date): Prisma.ApiKeyWhereInput {
  return {
    rotationDays: { not: null },
    revokedAt: null,
    notifyWebhookUrl: { not: null },
    nextRotationAt: { lte: now },
    OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
  };
}

export type ScheduledRotation = {
  keyId: string;
  keyName: string;
  notificationId: string;
  webhook: WebhookOutcome;
};

/** At most this many keys per run; the rest are picked up by the next run. */
const batchSize = 200;

/** Thrown inside the write to roll it back: the key is no longer due (another replica rotated it). */
class NotDue extends Error {}

type Claimed = {
  keyId: string;
  keyName: string;
  webhookUrl: string;
  secret: string;
  oldSecretValidUntil: Date | null;
  graceMinutes: number;
  rotatedAt: Date;
  notificationId: string;
  /** Also tell every admin when delivery fails: an owner who is not an admin cannot rotate. */
  ownerIsNonAdminUser: boolean;
};

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return "the webhook";
  }
};

function oldSecretSentence(c: Pick<Claimed, "oldSecretValidUntil" | "graceMinutes">): string {
  if (!c.oldSecretValidUntil) return "";
  if (c.graceMinutes === 0)
    return " The previous secret stopped working at once (this key's grace period is 0).";
  return ` The previous secret keeps working until ${c.oldSecretValidUntil.toISOString()} (UTC); switch to the new one before then.`;
}

async function claimAndRotate(deps: KeyRotationDeps, keyId: string): Promise<Claimed> {
  const { result } = await writeConfig(deps, systemActor, async (tx) => {
    const now = new Date();
    // The row lock first (a key another transaction is rotating is skipped), then the rule, read
    // under the lock, so it sees that transaction's rotation once it has committed.
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM api_keys WHERE id = ${keyId}::uuid FOR UPDATE SKIP LOCKED`;
    if (locked.length === 0) throw new NotDue();
    const due = await tx.apiKey.findFirst({
      where: { id: keyId, ...dueForRotation(now) },
      select: { id: true },
    });
    if (!due) throw new NotDue();
    const before = await tx.apiKey.findUniqueOrThrow({ where: { id: keyId }, select: keyViewSelect });
    const webhookUrl = before.notifyWebhookUrl as string;
    const graceMinutes = before.rotationGraceMinutes;
    const rotated = await rotateSecretInTx(tx, before, graceMinutes, now);
    const after = await tx.apiKey.findUniqueOrThrow({ where: { id: keyId }, select: keyViewSelect });
    const owner = before.userId
      ? await tx.user.findUnique({ where: { id: before.userId }, select: { role: true } })
      : null;
    // Written with the rotation, so the owner always hears of it; the text is finished after delivery.
    const notificationId = await createNotification(tx, {
      userId: before.userId,
      kind: "key.rotated",
      severity: "info",
      title: `Key "${before.name}" was rotated on schedule`,
      body: `A new secret was issued and is being sent to ${hostOf(webhookUrl)}.${oldSecretSentence({ ...rotated, graceMinutes })}`,
      targetType: "api_key",
      targetId: keyId,
    });
    return {
      result: {
        keyId,
        keyName: before.name,
        webhookUrl,
        secret: rotated.secret,
        oldSecretValidUntil: rotated.oldSecretValidUntil,
        graceMinutes,
        rotatedAt: now,
        notificationId,
        ownerIsNonAdminUser: owner !== null && owner.role !== "admin",
      } satisfies Claimed,
      audit: rotationAudit(before, after, now, {
        trigger: "schedule",
        graceMinutes,
        oldSecretValidUntil: rotated.oldSecretValidUntil,
      }),
    };
  });
  return result;
}

/** Sends the secret, then finishes the notice and audits the delivery (never the secret). */
async function deliver(deps: KeyRotationDeps, c: Claimed): Promise<WebhookOutcome> {
  const payload: KeyRotatedWebhook = {
    event: "key.rotated",
    keyId: c.keyId,
    keyName: c.keyName,
    newSecret: c.secret,
    oldSecretValidUntil: c.oldSecretValidUntil?.toISOString() ?? null,
    rotatedAt: c.rotatedAt.toISOString(),
  };
  const outcome = await postWebhook(c.webhookUrl, payload, deps.webhook);
  const host = hostOf(c.webhookUrl);
  const failedBody = outcome.ok
    ? ""
    : `Sending the new secret to ${host} failed after ${outcome.attempts} attempt(s): ${outcome.error}. ` +
      "Nobody has received the new secret, and it cannot be shown again." +
      (c.oldSecretValidUntil && c.graceMinutes > 0
        ? ` The previous secret keeps working until ${c.oldSecretValidUntil.toISOString()} (UTC): before then, an admin must rotate the key from the Keys page (the dashboard shows the new secret once) and hand it to the owner.`
        : " An admin must rotate the key from the Keys page now (the dashboard shows the new secret once) and hand it to the owner.");
  await deps.db.notification.update({
    where: { id: c.notificationId },
    data: outcome.ok
      ? {
          body: `The new secret was sent to the key's webhook at ${host}.${oldSecretSentence(c)}`,
        }
      : { severity: "error", body: failedBody },
  });
  if (!outcome.ok && c.ownerIsNonAdminUser) {
    await createNotification(deps.db, {
      userId: null,
      kind: "key.rotation_delivery_failed",
      severity: "error",
      title: `Key "${c.keyName}": the rotated secret could not be delivered`,
      body: failedBody,
      targetType: "api_key",
      targetId: c.keyId,
    });
  }
  await deps.db.$transaction((tx) =>
    recordAudit(tx, systemActor, {
      action: outcome.ok ? "key.rotation_webhook_delivered" : "key.rotation_webhook_failed",
      targetType: "api_key",
      targetId: c.keyId,
      after: {
        webhookHost: host,
        status: outcome.status,
        attempts: outcome.attempts,
        error: outcome.ok ? null : outcome.error,
      },
    }),
  );
  return outcome;
}

/** One run of the job: rotates every key that is due now. Errors on one key never stop the others. */
export async function rotateDueKeys(deps: KeyRotationDeps): Promise<ScheduledRotation[]> {
  const candidates = await deps.db.apiKey.findMany({
    where: dueForRotation(new Date()),
    select: { id: true },
    orderBy: { nextRotationAt: "asc" },
    take: batchSize,
  });
  const done: ScheduledRotation[] = [];
  for (const { id } of candidates) {
    let claimed: Claimed;
    try {
      claimed = await claimAndRotate(deps, id);
    } catch (err) {
      if (err instanceof NotDue) continue;
      log.error({ job: "key-rotation", keyId: id, err }, "could not rotate a due key");
      continue;
    }
    let webhook: WebhookOutcome;
    try {
      webhook = await deliver(deps, claimed);
    } catch (err) {
      // The rotation is committed and audited; only the follow-up bookkeeping failed (Postgres blip).
      const error = err instanceof Error ? err.message : String(err);
      log.error({ job: "key-rotation", keyId: id, err }, "key rotated, but recording its delivery failed");
      webhook = { ok: false, status: null, error, attempts: 0 };
    }
    const fields = { job: "key-rotation", keyId: id, keyName: claimed.keyName, webhookOk: webhook.ok };
    if (webhook.ok) log.info(fields, "key rotated on schedule; new secret delivered to its webhook");
    else
      log.warn(
        { ...fields, webhookError: webhook.error },
        "key rotated on schedule; webhook delivery failed",
      );
    done.push({ keyId: id, keyName: claimed.keyName, notificationId: claimed.notificationId, webhook });
  }
  return done;
}

/** Rotates keys whose rotation policy is due and sends each new secret to the key's webhook. */
export function keyRotationJob(deps: KeyRotationDeps & { intervalSeconds: number }): Job {
  return {
    name: "key-rotation",
    description:
      "Rotates API keys whose rotation policy is due and sends each new secret to the key's webhook.",
    intervalSeconds: deps.intervalSeconds,
    async run() {
      await rotateDueKeys(deps);
      return undefined;
    },
  };
}
