/** Sign-out: the session is deleted server-side (a copied cookie stops working) and audited. */
import { recordAudit } from "../audit/record.ts";
import type { OpArgs } from "../op.ts";

export async function signOut({
  db,
  actor,
  sessionId,
}: Pick<OpArgs, "db" | "actor"> & { sessionId: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.session.delete({ where: { id: sessionId } });
    await recordAudit(tx, actor, {
      action: "user.signed_out",
      targetType: "session",
      targetId: sessionId,
      targetName: actor.email,
    });
  });
}
