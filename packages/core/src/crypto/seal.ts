/**
 * Secret sealing with AES-256-GCM, shared by the control plane (provider credentials at rest under a
 * versioned master key; re-sealed for the data plane in each snapshot) and the proxy (opening them).
 * Node-only (node:crypto): imported as `@switchyard/core/crypto/seal`.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { SealedSecret } from "../config/snapshot.ts";

export type { SealedSecret };

/** A 32-byte key and the version stored beside everything sealed with it. */
export type SealingKey = { version: number; key: Buffer };

export function sealSecret(plaintext: string, k: SealingKey, associatedData = ""): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", k.key, iv);
  if (associatedData) cipher.setAAD(Buffer.from(associatedData));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    keyVersion: k.version,
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ciphertext: ciphertext.toString("base64"),
  };
}

/** Opens a sealed secret; throws when the key is wrong or the data was tampered with. */
export function openSecret(sealed: SealedSecret, key: Buffer, associatedData = ""): string {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
  if (associatedData) decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  return Buffer.concat([
    decipher.update(Buffer.from(sealed.ciphertext, "base64")),
    decipher.final(),
  ]).toString("utf8");
}

/**
 * The key snapshots are sealed with for the data plane: derived from the data-plane token that
 * proxies already hold, so no second secret has to be distributed. Version 1.
 */
export function snapshotSealingKey(dataPlaneToken: string): SealingKey {
  const key = Buffer.from(hkdfSync("sha256", dataPlaneToken, "switchyard", "snapshot-seal-v1", 32));
  return { version: 1, key };
}

/**
 * Parses MASTER_KEYS: comma-separated `version:hex` pairs of 32-byte keys, e.g.
 * `1:9f…(64 hex),2:3a…`. The highest version seals new secrets; older ones still open old ones
 * until everything is re-sealed (master-key rotation).
 */
export function parseMasterKeys(value: string): { current: SealingKey; byVersion: Map<number, Buffer> } {
  const byVersion = new Map<number, Buffer>();
  for (const part of value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d+):([0-9a-fA-F]{64})$/.exec(part);
    if (!m)
      throw new Error(
        "MASTER_KEYS must be comma-separated version:key pairs, each key 64 hex characters (openssl rand -hex 32)",
      );
    const version = Number(m[1]);
    if (version < 1 || byVersion.has(version))
      throw new Error(`MASTER_KEYS has a bad or repeated version: ${m[1]}`);
    byVersion.set(version, Buffer.from(m[2]!, "hex"));
  }
  if (byVersion.size === 0) throw new Error("MASTER_KEYS is empty: give at least one version:key pair");
  const version = Math.max(...byVersion.keys());
  return { current: { version, key: byVersion.get(version)! }, byVersion };
}
