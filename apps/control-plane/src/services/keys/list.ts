/** The key list for the dashboard: search, revoked keys hidden unless asked for. */
import type { KeysListInput, KeyView } from "@switchyard/core";
import type { Prisma } from "@switchyard/db";
import type { OpArgs } from "../op.ts";
import { keyViewSelect, toKeyView } from "./view.ts";

export async function listKeys({ db, actor, input }: OpArgs<KeysListInput>): Promise<{ items: KeyView[] }> {
  const where: Prisma.ApiKeyWhereInput = { orgId: actor.orgId };
  if (!input.includeRevoked) where.revokedAt = null;
  const search = input.search?.trim();
  if (search) {
    const contains = { contains: search, mode: "insensitive" as const };
    where.OR = [
      { name: contains },
      { tags: { has: search } },
      { secrets: { some: { prefix: { startsWith: search } } } },
      { user: { name: contains } },
      { team: { name: contains } },
    ];
  }
  const rows = await db.apiKey.findMany({
    where,
    select: keyViewSelect,
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  const now = new Date();
  return { items: rows.map((r) => toKeyView(r, now)) };
}
