/** Revokes an admin API token: its next request is refused (401). Idempotent. */
import { AppError, type RevokeTokenInput, type TokenView } from "@switchyard/core";
import { recordAudit } from "../audit/record.ts";
import type { OpArgs } from "../op.ts";
import { tokenViewSelect, toTokenView } from "./view.ts";

export async function revokeToken({
  db,
  actor,
  input,
}: Pick<OpArgs<RevokeTokenInput>, "db" | "actor" | "input">): Promise<TokenView> {
  return db.$transaction(async (tx) => {
    const before = await tx.adminToken.findFirst({
      where: { id: input.id, orgId: actor.orgId },
      select: tokenViewSelect,
    });
    if (!before) throw new AppError("not_found", "This token does not exist");
    if (before.revokedAt) return toTokenView(before);
    const now = new Date();
    // Guarded on revokedAt: of two concurrent revokes one updates and writes the entry.
    const { count } = await tx.adminToken.updateMany({
      where: { id: input.id, revokedAt: null },
      data: { revokedAt: now },
    });
    const row = await tx.adminToken.findUniqueOrThrow({ where: { id: input.id }, select: tokenViewSelect });
    const after = toTokenView(row, now);
    if (count === 1) {
      await recordAudit(tx, actor, {
        action: "token.revoked",
        targetType: "admin_token",
        targetId: after.id,
        targetName: after.name,
        before: toTokenView(before, now),
        after,
      });
    }
    return after;
  });
}
