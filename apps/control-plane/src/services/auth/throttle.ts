/**
 * Login throttling: repeated failures per account and per client IP lock further attempts
 * for the rest of the window. Counted in the shared KvStore so every replica agrees.
 */
import { AppError } from "@switchyard/core";
import type { KvStore } from "@switchyard/store";

export const loginThrottle = {
  windowMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 30,
};

const accountKey = (email: string) => `login-fail:acct:${email}`;
const ipKey = (ip: string) => `login-fail:ip:${ip}`;

function tooMany(resetInMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(resetInMs / 1000));
  return new AppError(
    "too_many_attempts",
    `Too many failed sign-in attempts. Try again in ${retryAfterSeconds} seconds.`,
    { retryAfterSeconds },
  );
}

/** Throws too_many_attempts while the account or the IP is locked. */
export async function assertLoginAllowed(store: KvStore, email: string, ip: string): Promise<void> {
  const [acct, byIp] = await Promise.all([store.peekWindow(accountKey(email)), store.peekWindow(ipKey(ip))]);
  if (acct.count >= loginThrottle.maxFailuresPerAccount) throw tooMany(acct.resetInMs);
  if (byIp.count >= loginThrottle.maxFailuresPerIp) throw tooMany(byIp.resetInMs);
}

export async function recordLoginFailure(store: KvStore, email: string, ip: string): Promise<void> {
  await Promise.all([
    store.hitWindow(accountKey(email), loginThrottle.windowMs),
    store.hitWindow(ipKey(ip), loginThrottle.windowMs),
  ]);
}

export async function clearLoginFailures(store: KvStore, email: string): Promise<void> {
  await store.delete(accountKey(email));
}
