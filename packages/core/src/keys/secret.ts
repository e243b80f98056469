/** API key secrets: how they look, how they are hashed, and what part may be shown again. */
// Node-only (node:crypto): imported as @switchyard/core/keys/secret so the browser bundle never pulls it in.
import { hash, randomBytes } from "node:crypto";

export const apiKeyPrefix = "sk-sy-";
const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function generateApiKeySecret(): string {
  const bytes = randomBytes(40);
  let out = apiKeyPrefix;
  for (const b of bytes) out += alphabet[b % 62];
  return out;
}

/** sha256 hex of the secret, what the control plane stores and the proxy looks up on every request. */
export function hashApiKey(secret: string): string {
  // One-shot crypto.hash: no Hash object per call, about half the cost of createHash().
  return hash("sha256", secret, "hex");
}

/** The part of a secret that lists may show: enough to tell keys apart, useless to an attacker. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, apiKeyPrefix.length + 6);
}
