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

/**
 * How long a session lives: `idleHours` without a request ends it, and `maxLifetimeHours` after
 * sign-in ends it however active it has been, so a stolen cookie cannot be kept alive forever.
 */
export type SessionLifetime = { idleHours: number; maxLifetimeHours: number };

const hours = (h: number) => h * 3_600_000;

export async function createSession(
  tx: Tx,
  input: { userId: string; ip: string | null; userAgent: string | null; lifetime: SessionLifetime },
): Promise<{ token: string; expiresAt: Date; endsAt: Date; sessionId: string }> {
  const token = randomBytes(32).toString("base64url");
  const now = Date.now();
  const endsAt = new Date(now + hours(input.lifetime.maxLifetimeHours));
  const expiresAt = new Date(Math.min(now + hours(input.lifetime.idleHours), endsAt.getTime()));
  const session = await tx.session.create({
    data: {
      tokenHash: hashToken(token),
      userId: input.userId,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt,
    },
    select: { id: true },
  });
  return { token, expiresAt, endsAt, sessionId: session.id };
}

/**
 * Resolves a cookie token to its user, or null when it is unknown, idle too long, past its absolute
 * lifetime, or the user is disabled. Sliding expiry: an active session is extended, at most once a
 * minute, but never past `maxLifetimeHours` after it was created.
 */
export async function resolveSession(
  db: Db,
  token: string,
  lifetime: SessionLifetime,
): Promise<SessionUser | null> {
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      createdAt: true,
      expiresAt: true,
      lastSeenAt: true,
      user: { select: { id: true, email: true, name: true, role: true, orgId: true, disabledAt: true } },
    },
  });
  const now = Date.now();
  if (!session || session.user.disabledAt) return null;
  const endsAt = session.createdAt.getTime() + hours(lifetime.maxLifetimeHours);
  if (session.expiresAt.getTime() <= now || endsAt <= now) return null;
  if (now - session.lastSeenAt.getTime() > 60_000) {
    await db.session.update({
      where: { id: session.id },
      data: {
        lastSeenAt: new Date(now),
        expiresAt: new Date(Math.min(now + hours(lifetime.idleHours), endsAt)),
      },
    });
  }
  const { disabledAt: _disabled, ...user } = session.user;
  return { ...user, sessionId: session.id };
}

/**
 * The session cookie. It is kept by the browser until the session's absolute end (`endsAt`): the
 * idle expiry slides on the server, which refuses an idle session whatever the cookie says.
 */
export function sessionCookie(token: string, endsAt: Date, secure: boolean): string {
  const parts = [
    `${sessionCookieName}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${endsAt.toUTCString()}`,
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
