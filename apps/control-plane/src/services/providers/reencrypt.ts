/**
 * Master-key rotation: re-seals every stored credential that is not under the current MASTER_KEYS
 * version. Afterwards the old versions can be dropped from MASTER_KEYS.
 */
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";

export async function reencryptCredentials({
  db,
  bus,
  vault,
  actor,
}: OpArgs): Promise<{ reencrypted: number; keyVersion: number }> {
  const keyVersion = vault.currentKeyVersion;
  const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
    const stale = await tx.providerCredential.findMany({
      where: { keyVersion: { not: keyVersion } },
      select: { id: true, keyVersion: true, iv: true, tag: true, ciphertext: true },
    });
    for (const row of stale) {
      const sealed = vault.sealAtRest(vault.open(row), row.id);
      await tx.providerCredential.update({ where: { id: row.id }, data: sealed });
    }
    const fromVersions = [...new Set(stale.map((r) => r.keyVersion))].sort((a, b) => a - b);
    return {
      result: { reencrypted: stale.length, keyVersion },
      audit: {
        action: "provider.credentials_reencrypted",
        targetType: "provider_credentials",
        after: { reencrypted: stale.length, keyVersion, fromVersions },
      },
    };
  });
  return result;
}
