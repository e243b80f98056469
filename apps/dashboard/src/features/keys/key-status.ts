/**
 * What the keys table says about a key: its status badge and which of its secrets still work.
 * Pure functions of the key and the current time, so the table and its tests agree.
 */

import type { KeySecretView } from "@switchyard/core";

export type KeyStatus = "active" | "expiring" | "expired" | "revoked" | "rotation pending";

/** A key "expires soon" inside this window; the badge warns before the proxy starts refusing it. */
export const expiringWithinMs = 7 * 24 * 3600_000;

export type KeyStatusInput = {
  revokedAt: string | null;
  expiresAt: string | null;
  secrets: readonly KeySecretView[];
};

/** Secrets the proxy still accepts, newest first: the current one, then one in its rotation grace. */
export function liveSecrets(secrets: readonly KeySecretView[], nowMs: number): KeySecretView[] {
  return secrets
    .filter((s) => s.validUntil === null || Date.parse(s.validUntil) > nowMs)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** The old secret of a rotation still in its grace period, if any. */
export function graceSecret(secrets: readonly KeySecretView[], nowMs: number): KeySecretView | undefined {
  return liveSecrets(secrets, nowMs).find((s) => s.validUntil !== null);
}

export function keyStatus(key: KeyStatusInput, nowMs: number): KeyStatus {
  if (key.revokedAt !== null) return "revoked";
  if (key.expiresAt !== null) {
    const expires = Date.parse(key.expiresAt);
    if (expires <= nowMs) return "expired";
    if (expires - nowMs <= expiringWithinMs) return "expiring";
  }
  if (graceSecret(key.secrets, nowMs)) return "rotation pending";
  return "active";
}
