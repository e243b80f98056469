/**
 * Scheduled key rotation (ADR 0005). Every interval, each key whose policy is due is rotated in
 * its own config write (audited as "system", published to every proxy), its owner gets an
 * in-dashboard notice, and the new secret is POSTed to the key's webhook: the only place it goes.
 * Safe with several control-plane replicas: a key is claimed under the config lock and re-checked
 * (`FOR UPDATE SKIP LOCKED`), so a rotation that another replica just made is never repeated.
 */
import type { KeyRotatedWebhook } from "@switchyard/core";
import { recordAudit } from "../services/audit/record.ts";
import { writeConfig } from "../services/config/publish.ts";
import { rotateSecretInTx, rotationAudit } from "../services/keys/rotate.ts";
import { keyViewSelect } from "../services/keys/view.ts";
import { createNotification } from "../services/notifications/notifications.ts";
import { systemActor } from "./system-actor.ts";
import { postWebhook, type WebhookOptions, type WebhookOutcome } from "./webhook.ts";

export type KeyRotationDeps = Parameters<typeof writeConfig>[0] & {
  webhook?: WebhookOptions;
  log?: (line: string) => void;
};

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
    const due = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM api_keys
      WHERE id = ${keyId}::uuid AND rotation_days IS NOT NULL AND revoked_at IS NULL
        AND notify_webhook_url IS NOT NULL AND next_rotation_at <= ${now}
        AND (expires_at IS NULL OR expires_at > ${now})
      FOR UPDATE SKIP LOCKED`;
    if (due.length === 0) throw new NotDue();
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
  const log = deps.log ?? ((line: string) => console.log(line));
  const now = new Date();
  const candidates = await deps.db.apiKey.findMany({
    where: {
      rotationDays: { not: null },
      revokedAt: null,
      notifyWebhookUrl: { not: null },
      nextRotationAt: { lte: now },
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
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
      log(`[key-rotation] could not rotate key ${id}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    let webhook: WebhookOutcome;
    try {
      webhook = await deliver(deps, claimed);
    } catch (err) {
      // The rotation is committed and audited; only the follow-up bookkeeping failed (Postgres blip).
      const error = err instanceof Error ? err.message : String(err);
      log(`[key-rotation] key ${id} rotated, but recording its delivery failed: ${error}`);
      webhook = { ok: false, status: null, error, attempts: 0 };
    }
    log(
      `[key-rotation] rotated key ${id} ("${claimed.keyName}"); webhook ${webhook.ok ? "delivered" : `failed: ${webhook.error}`}`,
    );
    done.push({ keyId: id, keyName: claimed.keyName, notificationId: claimed.notificationId, webhook });
  }
  return done;
}

export type KeyRotationJob = { stop(): Promise<void> };

/** Runs `rotateDueKeys` every `intervalSeconds` (0 disables it); runs never overlap. */
export function startKeyRotationJob(deps: KeyRotationDeps & { intervalSeconds: number }): KeyRotationJob {
  if (deps.intervalSeconds <= 0) return { async stop() {} };
  const log = deps.log ?? ((line: string) => console.log(line));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  const schedule = () => {
    timer = setTimeout(tick, deps.intervalSeconds * 1000);
    timer.unref();
  };
  const tick = () => {
    running = rotateDueKeys(deps)
      .then(
        () => {},
        (err: unknown) =>
          log(`[key-rotation] run failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        running = null;
        if (!stopped) schedule();
      });
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
