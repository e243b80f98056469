/**
 * Password change: throttled like sign-in (a stolen session must not become a way to guess the
 * password), the current password required, and every other session of the user ended.
 */
import { AppError, type ChangePasswordInput } from "@switchyard/core";
import type { KvStore } from "@switchyard/store";
import { recordAudit } from "../audit/record.ts";
import type { OpArgs } from "../op.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { beginPasswordChangeAttempt, passwordChangeSucceeded } from "./throttle.ts";

export type ChangePasswordArgs = Pick<OpArgs<ChangePasswordInput>, "db" | "actor" | "input"> & {
  /** Where wrong current passwords are counted. */
  store: KvStore;
  /** The session the change is made from: the one that stays signed in. */
  sessionId: string;
};

export async function changePassword({
  db,
  actor,
  input,
  store,
  sessionId,
}: ChangePasswordArgs): Promise<{ ok: true }> {
  const userId = actor.id;
  if (!userId) throw new AppError("unauthenticated", "Sign in as a user to change your password");
  await beginPasswordChangeAttempt(store, userId);
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  const audit = { targetType: "user", targetId: userId, targetName: actor.email };
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await db.$transaction((tx) =>
      recordAudit(tx, actor, { action: "user.password_change_failed", ...audit }),
    );
    throw new AppError("invalid_request", "The current password is not correct", {
      fieldErrors: { currentPassword: ["The current password is not correct"] },
    });
  }
  await passwordChangeSucceeded(store, userId);
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    // Other sessions of this user end: a changed password must lock out whoever knew the old one.
    await tx.session.deleteMany({ where: { userId, id: { not: sessionId } } });
    await recordAudit(tx, actor, { action: "user.password_changed", ...audit });
  });
  return { ok: true };
}
