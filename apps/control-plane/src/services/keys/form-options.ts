/** The key form's choices: the organisation's active users and teams, and the gateway's models. */
import type { KeyFormOptions } from "@switchyard/core";
import type { OpArgs } from "../op.ts";

export async function keyFormOptions({ db, actor }: OpArgs): Promise<KeyFormOptions> {
  const { orgId } = actor;
  const [users, teams, models] = await Promise.all([
    db.user.findMany({
      where: { orgId, disabledAt: null },
      select: { id: true, name: true, email: true },
      orderBy: { name: "asc" },
    }),
    db.team.findMany({ where: { orgId }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db.gatewayModel.findMany({ select: { name: true }, orderBy: { name: "asc" } }),
  ]);
  return { users, teams, models: models.map((m) => m.name) };
}
