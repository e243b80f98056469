/** Admin API tokens for tests: made straight in the database, and a caller that sends one as Bearer. */
import type { Role } from "@switchyard/core";
import type { Db } from "@switchyard/db";
import {
  adminTokenDisplayPrefix,
  generateAdminTokenSecret,
  hashAdminToken,
} from "../src/services/tokens/secret.ts";
import { demoEmails, type TrpcResult } from "./harness.ts";

/** A token of the demo organisation, created by the demo admin unless `createdBy` names another. */
export async function insertToken(
  db: Db,
  options: { role: Role; name?: string; expiresAt?: Date; revokedAt?: Date; createdBy?: string },
): Promise<{ id: string; secret: string }> {
  const creator = await db.user.findUniqueOrThrow({
    where: { email: options.createdBy ?? demoEmails.admin },
    select: { id: true, orgId: true },
  });
  const secret = generateAdminTokenSecret();
  const row = await db.adminToken.create({
    data: {
      orgId: creator.orgId,
      name: options.name ?? `${options.role} token`,
      role: options.role,
      hash: hashAdminToken(secret),
      prefix: adminTokenDisplayPrefix(secret),
      createdById: creator.id,
      expiresAt: options.expiresAt ?? new Date(Date.now() + 86_400_000),
      revokedAt: options.revokedAt ?? null,
    },
    select: { id: true },
  });
  return { id: row.id, secret };
}

/** Calls the tRPC API as a script does: `Authorization: Bearer`, no cookie, no Origin. */
export class TokenClient {
  readonly baseUrl: string;
  readonly secret: string;
  constructor(baseUrl: string, secret: string) {
    this.baseUrl = baseUrl;
    this.secret = secret;
  }

  private async finish(res: Response): Promise<TrpcResult> {
    return {
      status: res.status,
      body: (await res.json()) as TrpcResult["body"],
      setCookie: res.headers.getSetCookie(),
      headers: res.headers,
    };
  }

  async query(path: string, input?: unknown): Promise<TrpcResult> {
    const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.finish(
      await fetch(`${this.baseUrl}/trpc/${path}${qs}`, {
        headers: { authorization: `Bearer ${this.secret}` },
      }),
    );
  }

  async mutate(path: string, input?: unknown): Promise<TrpcResult> {
    return this.finish(
      await fetch(`${this.baseUrl}/trpc/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.secret}`, "content-type": "application/json" },
        body: input === undefined ? undefined : JSON.stringify(input),
      }),
    );
  }
}
