/** The organisation's admin API tokens, newest first; revoked ones only when asked for. */
import type { TokensListInput, TokenView } from "@switchyard/core";
import type { OpArgs } from "../op.ts";
import { tokenViewSelect, toTokenView } from "./view.ts";

export async function listTokens({
  db,
  actor,
  input,
}: Pick<OpArgs<TokensListInput>, "db" | "actor" | "input">): Promise<TokenView[]> {
  const rows = await db.adminToken.findMany({
    where: { orgId: actor.orgId, ...(input?.includeRevoked ? {} : { revokedAt: null }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: tokenViewSelect,
  });
  const now = new Date();
  return rows.map((r) => toTokenView(r, now));
}
