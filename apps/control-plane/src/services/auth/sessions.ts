/** Server-side sessions: the cookie holds a random token, Postgres holds only its hash. */
import { createHash, randomBytes } from "node:crypto";
import type { Role } from "@switchyard/core";
import type { Db, Tx } from "@switchyard/db";

export const sessionCookieName = "sy_session";

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  orgId: string;
  sessionId: string;
};

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export async function createSession(
  tx: Tx,
  input: { userId: string; ip: string | null; userAgent: string | null; ttlHours: number },
): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + input.ttlHours * 3_600_000);
  const session = await tx.session.create({
    data: {
      tokenHash: hashToken(token),
      userId: input.userId,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      expiresAt,
    },
    select: { id: true },
  });
  return { token, expiresAt, sessionId: session.id };
}

/**
 * Resolves a cookie token to its user, or null when it is unknown, expired or the user is
 * disabled. Sliding expiry: an active session is extended, at most once a minute.
 */
export async function resolveSession(db: Db, token: string, ttlHours: number): Promise<SessionUser | null> {
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      expiresAt: true,
      lastSeenAt: true,
      user: { select: { id: true, email: true, name: true, role: true, orgId: true, disabledAt: true } },
    },
  });
  const now = Date.now();
  if (!session || session.expiresAt.getTime() <= now || session.user.disabledAt) return null;
  if (now - session.lastSeenAt.getTime() > 60_000) {
    await db.session.update({
      where: { id: session.id },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(now + ttlHours * 3_600_000) },
    });
  }
  const { disabledAt: _disabled, ...user } = session.user;
  return { ...user, sessionId: session.id };
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const parts = [
    `${sessionCookieName}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
