/** Every alias with its targets in order and the caller's organisation's keys that allow it. */
import type { AliasView } from "@switchyard/core";
import type { OpArgs } from "../op.ts";
import { aliasViewSelect, keysNaming, toAliasView } from "./alias-view.ts";

export async function listAliases({ db, actor }: OpArgs): Promise<{ items: AliasView[] }> {
  const rows = await db.gatewayModel.findMany({ select: aliasViewSelect, orderBy: { name: "asc" } });
  const keys = await keysNaming(
    db,
    actor.orgId,
    rows.map((r) => r.name),
  );
  return { items: rows.map((r) => toAliasView(r, keys.get(r.name) ?? [])) };
}
