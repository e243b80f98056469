/**
 * The `keys` section of the GatewayConfig snapshot: every API key a proxy may accept, as hashes.
 * A key that fails this schema is skipped, so it is refused: skipping fails closed for keys.
 */
import { z } from "zod";
import { defineSection } from "./section.ts";

export const SnapshotKey = z.object({
  id: z.string().min(1),
  /** sha256 hex of the secret; a rotated key has more than one live hash until its grace ends. */
  hashes: z
    .array(
      z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), validUntil: z.string().datetime().nullable() }),
    )
    .min(1),
  name: z.string(),
  userId: z.string().nullable(),
  teamId: z.string().nullable(),
  /** Empty means every model in the snapshot. */
  allowedModels: z.array(z.string()),
  rpm: z.number().int().positive().nullable(),
  tpm: z.number().int().positive().nullable(),
  expiresAt: z.string().datetime().nullable(),
  revokedAt: z.string().datetime().nullable(),
});
export type SnapshotKey = z.infer<typeof SnapshotKey>;

export const keysSection = defineSection({ item: SnapshotKey });
