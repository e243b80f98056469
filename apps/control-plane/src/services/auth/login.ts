/**
 * Sign-in: throttled per account and per client IP, one answer whether or not the account exists,
 * and the new session and its audit entry in one transaction. There is no actor yet, so it takes
 * the client's address instead; the procedure sets the cookie from what it returns.
 */
import { AppError, type LoginInput, type Role } from "@switchyard/core";
import type { KvStore } from "@switchyard/store";
import { recordAudit } from "../audit/record.ts";
import type { OpArgs } from "../op.ts";
import { verifyPassword } from "./passwords.ts";
import { createSession, type SessionLifetime } from "./sessions.ts";
import { beginLoginAttempt, loginSucceeded } from "./throttle.ts";

export type SignInArgs = Pick<OpArgs<LoginInput>, "db" | "input"> & {
  /** Where failed attempts are counted (shared by every replica). */
  store: KvStore;
  client: { ip: string; userAgent: string | null };
  lifetime: SessionLifetime;
};

export type SignedIn = {
  user: { id: string; email: string; name: string; role: Role };
  session: { token: string; endsAt: Date };
};

export async function signIn({ db, store, input, client, lifetime }: SignInArgs): Promise<SignedIn> {
  await beginLoginAttempt(store, input.email, client.ip);
  const user = await db.user.findUnique({
    where: { email: input.email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabledAt: true },
  });
  const ok = await verifyPassword(user && !user.disabledAt ? user.passwordHash : null, input.password);
  if (!user || !ok) {
    await db.$transaction((tx) =>
      recordAudit(
        tx,
        { id: user?.id ?? null, email: input.email, ip: client.ip },
        {
          action: "user.sign_in_failed",
          targetType: "user",
          targetId: user?.id ?? null,
          targetName: input.email,
        },
      ),
    );
    // One message whether or not the account exists.
    throw new AppError("unauthenticated", "Email or password is incorrect");
  }
  await loginSucceeded(store, input.email, client.ip);
  const session = await db.$transaction(async (tx) => {
    const s = await createSession(tx, {
      userId: user.id,
      ip: client.ip,
      userAgent: client.userAgent,
      lifetime,
    });
    await recordAudit(
      tx,
      { id: user.id, email: user.email, ip: client.ip },
      { action: "user.signed_in", targetType: "session", targetId: s.sessionId, targetName: user.email },
    );
    return s;
  });
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    session: { token: session.token, endsAt: session.endsAt },
  };
}
