/** Key reads for the dashboard: the key list (search, revoked hidden by default) and the form's choices. */
import type { KeyFormOptions, KeysListInput, KeyView } from "@switchyard/core";
import type { Db, Prisma } from "@switchyard/db";
import { keyViewSelect, toKeyView } from "./view.ts";

export async function listKeys(db: Db, orgId: string, input: KeysListInput): Promise<{ items: KeyView[] }> {
  const where: Prisma.ApiKeyWhereInput = { orgId };
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

export async function keyFormOptions(db: Db, orgId: string): Promise<KeyFormOptions> {
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
