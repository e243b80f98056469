/**
 * Creates an admin API token: the secret is made here, returned once, and only its hash is stored.
 * A caller hands out no permission it lacks itself, and a token that creates a token cannot make
 * one that outlives it (or a leaked token could renew itself forever).
 */
import { AppError, type CreateTokenInput, roleWithin, type TokenWithSecret } from "@switchyard/core";
import { recordAudit } from "../audit/record.ts";
import type { OpArgs } from "../op.ts";
import { adminTokenDisplayPrefix, generateAdminTokenSecret, hashAdminToken } from "./secret.ts";
import { tokenViewSelect, toTokenView } from "./view.ts";

const dayMs = 86_400_000;

export async function createToken({
  db,
  actor,
  input,
}: Pick<OpArgs<CreateTokenInput>, "db" | "actor" | "input">): Promise<TokenWithSecret> {
  if (!roleWithin(input.role, actor.role)) {
    throw new AppError(
      "forbidden",
      `Your role (${actor.role}) may not create a token with the ${input.role} role`,
      {
        fieldErrors: { role: [`Choose a role with no more permissions than your own (${actor.role})`] },
      },
    );
  }
  const now = new Date();
  const expiresAt = new Date(now.getTime() + input.expiresInDays * dayMs);
  const secret = generateAdminTokenSecret();
  const token = await db.$transaction(async (tx) => {
    // A token acts for the person who created it: the new token is theirs too.
    let createdById = actor.id;
    if (actor.tokenId) {
      const parent = await tx.adminToken.findUniqueOrThrow({
        where: { id: actor.tokenId },
        select: { createdById: true, expiresAt: true },
      });
      if (expiresAt > parent.expiresAt) {
        const days = Math.floor((parent.expiresAt.getTime() - now.getTime()) / dayMs);
        const message = `A token cannot outlive the token that creates it (which expires on ${parent.expiresAt.toISOString()})`;
        throw new AppError("invalid_request", message, {
          fieldErrors: {
            expiresInDays: [
              days >= 1
                ? `Choose at most ${days} days`
                : "This token expires within a day: sign in to create one",
            ],
          },
        });
      }
      createdById = parent.createdById;
    }
    if (!createdById)
      throw new AppError("forbidden", "Only a signed-in person or a token can create a token");
    const row = await tx.adminToken.create({
      data: {
        orgId: actor.orgId,
        name: input.name,
        role: input.role,
        hash: hashAdminToken(secret),
        prefix: adminTokenDisplayPrefix(secret),
        createdById,
        createdAt: now,
        expiresAt,
      },
      select: tokenViewSelect,
    });
    const view = toTokenView(row, now);
    await recordAudit(tx, actor, {
      action: "token.created",
      targetType: "admin_token",
      targetId: view.id,
      targetName: view.name,
      after: view,
    });
    return view;
  });
  return { token, secret };
}
