/**
 * The credential vault: seals provider API keys at rest under the current master key version
 * (MASTER_KEYS), opens them with whichever version sealed them, and re-seals them for the data
 * plane (a key derived from DATA_PLANE_TOKEN) when a snapshot is compiled. The credential id is
 * the associated data both at rest and in snapshots, so a sealed blob cannot be moved to
 * another credential. Plaintext never leaves these functions except to a provider call.
 */
import {
  openSecret,
  type parseMasterKeys,
  type SealedSecret,
  type SealingKey,
  sealSecret,
  snapshotSealingKey,
} from "@switchyard/core/crypto/seal";

export type MasterKeys = ReturnType<typeof parseMasterKeys>;

/** A credential as stored in `provider_credentials` (the sealed columns). */
export type StoredCredential = {
  id: string;
  keyVersion: number;
  iv: string;
  tag: string;
  ciphertext: string;
};

export type CredentialVault = {
  /** The master key version new secrets are sealed with. */
  readonly currentKeyVersion: number;
  /** Seals a plaintext key for storage as credential `credentialId`. */
  sealAtRest(plaintext: string, credentialId: string): SealedSecret;
  /** Opens a stored credential; throws a readable error when its master key version is missing. */
  open(stored: StoredCredential): string;
  /** Opens a stored credential and seals it again for the data plane (snapshots). */
  sealForSnapshot(stored: StoredCredential): SealedSecret;
};

export function createCredentialVault(opts: {
  masterKeys: MasterKeys;
  dataPlaneToken: string;
}): CredentialVault {
  const current: SealingKey = opts.masterKeys.current;
  const snapshotKey = snapshotSealingKey(opts.dataPlaneToken);

  function open(stored: StoredCredential): string {
    const key = opts.masterKeys.byVersion.get(stored.keyVersion);
    if (!key) {
      throw new Error(
        `Provider credential ${stored.id} is sealed with master key version ${stored.keyVersion}, which MASTER_KEYS lacks: put that version back into MASTER_KEYS (then run providers.reencrypt before removing it)`,
      );
    }
    try {
      return openSecret(stored, key, stored.id);
    } catch {
      throw new Error(
        `Provider credential ${stored.id} does not open with master key version ${stored.keyVersion}: MASTER_KEYS holds a different key under that version than the one it was sealed with`,
      );
    }
  }

  return {
    currentKeyVersion: current.version,
    sealAtRest: (plaintext, credentialId) => sealSecret(plaintext, current, credentialId),
    open,
    sealForSnapshot: (stored) => sealSecret(open(stored), snapshotKey, stored.id),
  };
}

/** The part of a key the dashboard may show: its last 4 characters, none for keys under 8. */
export function credentialLast4(apiKey: string): string {
  return apiKey.length >= 8 ? apiKey.slice(-4) : "";
}
