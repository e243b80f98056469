/**
 * Admin API token secrets, made and hashed the way API key secrets are (`@switchyard/core/keys/secret`)
 * with a prefix of their own, so a leaked one is recognised for what it is (secret scanners, logs)
 * and is never mistaken for a proxy key.
 */
import { hash, randomBytes } from "node:crypto";

export const adminTokenPrefix = "sy_admin_";
const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function generateAdminTokenSecret(): string {
  const bytes = randomBytes(40);
  let out = adminTokenPrefix;
  for (const b of bytes) out += alphabet[b % 62];
  return out;
}

/** sha256 hex of the secret: what the database holds and what a request is looked up by. */
export function hashAdminToken(secret: string): string {
  return hash("sha256", secret, "hex");
}

/** The part of a secret the list shows: enough to tell tokens apart, useless to an attacker. */
export function adminTokenDisplayPrefix(secret: string): string {
  return secret.slice(0, adminTokenPrefix.length + 6);
}
