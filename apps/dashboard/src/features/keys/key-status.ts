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

/** A secret as the table lists it; `graceUntil` is set for an old secret still in its rotation grace. */
export type SecretLine = { prefix: string; createdAt: string; graceUntil: string | null };

/**
 * The secrets the table lists for a key. A revoked key lists only its last prefix, to recognise it
 * by: no secret of it works any more, so no grace period is worth mentioning.
 */
export function secretLines(key: KeyStatusInput, nowMs: number): SecretLine[] {
  if (key.revokedAt !== null) {
    const last = [...key.secrets].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
    return last ? [{ prefix: last.prefix, createdAt: last.createdAt, graceUntil: null }] : [];
  }
  return liveSecrets(key.secrets, nowMs).map((s) => ({
    prefix: s.prefix,
    createdAt: s.createdAt,
    graceUntil: s.validUntil,
  }));
}

/**
 * What the Expires column says: nothing about the future for a revoked key (it never expires: it is
 * already refused), "Never" for a key without an expiry, else the time it expires.
 */
export type ExpiryLine = { kind: "revoked" } | { kind: "never" } | { kind: "at"; at: string };

export function expiryLine(key: KeyStatusInput): ExpiryLine {
  if (key.revokedAt !== null) return { kind: "revoked" };
  if (key.expiresAt === null) return { kind: "never" };
  return { kind: "at", at: key.expiresAt };
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
