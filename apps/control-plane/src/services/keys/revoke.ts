/** Revokes a key: every proxy refuses it (key_revoked) from the next snapshot on. Idempotent. */
import { AppError, type KeyView, type RevokeKeyInput } from "@switchyard/core";
import { writeConfig } from "../config/publish.ts";
import type { OpArgs } from "../op.ts";
import { keyViewSelect, toKeyView } from "./view.ts";

/** Thrown inside the write to roll it back when the key was revoked already: nothing to publish. */
class AlreadyRevoked extends Error {}

export async function revokeKey({ db, bus, vault, actor, input }: OpArgs<RevokeKeyInput>): Promise<KeyView> {
  const { orgId } = actor;
  const { id } = input;
  try {
    const { result } = await writeConfig({ db, bus, vault }, actor, async (tx) => {
      const before = await tx.apiKey.findFirst({ where: { id, orgId }, select: keyViewSelect });
      if (!before) throw new AppError("not_found", "This key does not exist (it may have been deleted)");
      if (before.revokedAt) throw new AlreadyRevoked();
      const now = new Date();
      const row = await tx.apiKey.update({
        where: { id },
        data: { revokedAt: now, version: { increment: 1 } },
        select: keyViewSelect,
      });
      const after = toKeyView(row, now);
      return {
        result: after,
        audit: {
          action: "key.revoked",
          targetType: "api_key",
          targetId: id,
          targetName: before.name,
          before: toKeyView(before, now),
          after,
        },
      };
    });
    return result;
  } catch (err) {
    if (!(err instanceof AlreadyRevoked)) throw err;
    const row = await db.apiKey.findFirstOrThrow({ where: { id, orgId }, select: keyViewSelect });
    return toKeyView(row);
  }
}
