/**
 * Resolves `Authorization: Bearer <token>` to the token and what it may do, or to the reason it is
 * refused (the caller gets that reason with a 401). The last-used time is written at most once a
 * minute per token, so a script's burst of calls costs one lookup each and no write.
 */
import type { Role } from "@switchyard/core";
import type { Db } from "@switchyard/db";
import { adminTokenPrefix, hashAdminToken } from "./secret.ts";

export type TokenCaller = {
  id: string;
  name: string;
  role: Role;
  orgId: string;
  /** The person the token acts for: whoever created it (or created the token that created it). */
  createdBy: { id: string; email: string; name: string };
};

export type TokenAuthentication = { ok: true; token: TokenCaller } | { ok: false; message: string };

const lastUsedResolutionMs = 60_000;

/** The credential of an `Authorization: Bearer …` header, or undefined when there is none. */
export function bearerCredential(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer[ \t]+(\S*)[ \t]*$/i);
  return match ? (match[1] ?? "") : undefined;
}

/**
 * Which credential a request authenticates with. A Bearer is the caller when sent, and the cookie is
 * not read then; except that a Bearer which is not an admin token, sent beside a session cookie, is
 * left alone: that is a single-sign-on proxy in front of the dashboard passing its own token on.
 */
export function requestCredential(
  authorization: string | undefined,
  sessionCookie: string | undefined,
): { kind: "token"; secret: string } | { kind: "session"; token: string } | null {
  const bearer = bearerCredential(authorization);
  if (bearer !== undefined && (bearer.startsWith(adminTokenPrefix) || !sessionCookie)) {
    return { kind: "token", secret: bearer };
  }
  return sessionCookie ? { kind: "session", token: sessionCookie } : null;
}

export async function authenticateToken(
  db: Db,
  secret: string,
  now = new Date(),
): Promise<TokenAuthentication> {
  if (!secret.startsWith(adminTokenPrefix)) {
    return {
      ok: false,
      message: `This is not an admin API token: they start with ${adminTokenPrefix} (an admin creates one under API tokens in the dashboard)`,
    };
  }
  const row = await db.adminToken.findUnique({
    where: { hash: hashAdminToken(secret) },
    select: {
      id: true,
      name: true,
      role: true,
      orgId: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      createdBy: { select: { id: true, email: true, name: true, disabledAt: true } },
    },
  });
  if (!row) return { ok: false, message: "This API token is not valid: check that it was copied whole" };
  if (row.revokedAt) {
    return { ok: false, message: `This API token was revoked on ${row.revokedAt.toISOString()}` };
  }
  if (row.expiresAt <= now) {
    return {
      ok: false,
      message: `This API token expired on ${row.expiresAt.toISOString()}: an admin can create a new one under API tokens`,
    };
  }
  if (row.createdBy.disabledAt) {
    return { ok: false, message: "This API token no longer works: the account that created it is disabled" };
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= lastUsedResolutionMs) {
    // Conditional, so concurrent requests (or replicas) of the same minute write once.
    await db.adminToken.updateMany({
      where: {
        id: row.id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - lastUsedResolutionMs) } }],
      },
      data: { lastUsedAt: now },
    });
  }
  const { disabledAt: _disabled, ...createdBy } = row.createdBy;
  return { ok: true, token: { id: row.id, name: row.name, role: row.role, orgId: row.orgId, createdBy } };
}
