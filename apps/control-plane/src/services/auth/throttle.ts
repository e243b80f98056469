/**
 * Throttling of password guesses: sign-in (per account and per client IP) and password change (per
 * account). Repeated failures lock further attempts for the rest of the window. Counted in the shared
 * KvStore so every replica agrees. Every attempt is counted when it starts and a success takes its
 * count back, so that what is counted at any moment is failures plus attempts still being verified.
 */
import { AppError } from "@switchyard/core";
import { createMemoryStore, type KvStore } from "@switchyard/store";
import { log } from "../../log.ts";

export const loginThrottle = {
  windowMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 30,
};

/**
 * Wrong current passwords on the change-password form: a stolen session must not become a way to
 * guess the password it does not know (and then keep the account after the session ends).
 */
export const passwordChangeThrottle = {
  windowMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
};

const accountKey = (email: string) => `login-fail:acct:${email}`;
const ipKey = (ip: string) => `login-fail:ip:${ip}`;
const passwordChangeKey = (userId: string) => `password-change-fail:user:${userId}`;

function tooMany(what: string, resetInMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(resetInMs / 1000));
  return new AppError("too_many_attempts", `Too many ${what}. Try again in ${retryAfterSeconds} seconds.`, {
    retryAfterSeconds,
  });
}

/**
 * Where attempts are counted while the shared store (Redis) cannot be reached: this replica's own
 * memory. Sign-in keeps working through a Redis outage (when an admin may need the dashboard most),
 * and guessing stays limited, per replica, rather than either refused for everyone or unlimited.
 */
const localFallback = createMemoryStore();
let lastFallbackWarning = 0;

async function counting<T>(store: KvStore, use: (store: KvStore) => Promise<T>): Promise<T> {
  try {
    return await use(store);
  } catch (err) {
    if (Date.now() - lastFallbackWarning > 60_000) {
      lastFallbackWarning = Date.now();
      log.warn(
        `password throttle: the shared store cannot be reached (${err instanceof Error ? err.message : String(err)}); counting password attempts in this replica's memory until it is back`,
      );
    }
    return use(localFallback);
  }
}

/**
 * Counts a sign-in attempt against the account and the IP *before* the password is checked, so
 * that a burst of parallel guesses cannot all pass one check while the first ones are still being
 * verified. Throws too_many_attempts once either is past its limit; the lock lasts to the end of
 * the window that the first counted attempt opened.
 */
export async function beginLoginAttempt(store: KvStore, email: string, ip: string): Promise<void> {
  const [acct, byIp] = await counting(store, (s) =>
    Promise.all([
      s.hitWindow(accountKey(email), loginThrottle.windowMs),
      s.hitWindow(ipKey(ip), loginThrottle.windowMs),
    ]),
  );
  if (acct.count > loginThrottle.maxFailuresPerAccount)
    throw tooMany("failed sign-in attempts", acct.resetInMs);
  if (byIp.count > loginThrottle.maxFailuresPerIp) throw tooMany("failed sign-in attempts", byIp.resetInMs);
}

/**
 * A sign-in that succeeded was no failure: the account's count starts over, and the IP gets its
 * attempt back (an office behind one address is not locked out by its own colleagues signing in).
 */
export async function loginSucceeded(store: KvStore, email: string, ip: string): Promise<void> {
  await counting(store, (s) => Promise.all([s.delete(accountKey(email)), s.unhitWindow(ipKey(ip))]));
}

/**
 * Counts a password change against the user before the current password is checked, as
 * `beginLoginAttempt` does for sign-in; throws too_many_attempts past the limit.
 */
export async function beginPasswordChangeAttempt(store: KvStore, userId: string): Promise<void> {
  const attempts = await counting(store, (s) =>
    s.hitWindow(passwordChangeKey(userId), passwordChangeThrottle.windowMs),
  );
  if (attempts.count > passwordChangeThrottle.maxFailuresPerAccount) {
    throw tooMany("wrong current passwords", attempts.resetInMs);
  }
}

/** The current password was right: the user's count starts over. */
export async function passwordChangeSucceeded(store: KvStore, userId: string): Promise<void> {
  await counting(store, (s) => s.delete(passwordChangeKey(userId)));
}
