/**
 * Every procedure declares a scope, and the server enforces it: anonymous callers get 401 and
 * every role without the scope gets 403, signed in or calling with an admin API token of that role
 * (tokens are refused `self` procedures, which act on a person's own account, whatever their role).
 * Expired and revoked tokens get 401. Enumerates the real router, so a new procedure is covered the
 * moment it is added.
 */
import { hasScope, Role } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Harness, startHarness } from "../test/harness.ts";
import { insertToken, TokenClient } from "../test/tokens.ts";
import { appRouter } from "./router.ts";
import type { ProcedureMeta } from "./trpc.ts";

type ProcDef = { _def: { type: "query" | "mutation" | "subscription"; meta?: ProcedureMeta } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcDef>).map(
  ([path, p]) => ({
    path,
    type: p._def.type,
    scope: p._def.meta?.scope,
  }),
);

/** The only procedures anyone may call without signing in. Adding one here is a security decision. */
const publicProcedures = ["auth.login"];

let h: Harness;
const clients = {} as Record<Role, Client>;
const tokenClients = {} as Record<Role, TokenClient>;
let expiredToken: TokenClient;
let revokedToken: TokenClient;
beforeAll(async () => {
  h = await startHarness();
  for (const role of Role.options) {
    clients[role] = await new Client(h.url).login(role);
    tokenClients[role] = new TokenClient(h.url, (await insertToken(h.db, { role })).secret);
  }
  const past = new Date(Date.now() - 60_000);
  expiredToken = new TokenClient(h.url, (await insertToken(h.db, { role: "admin", expiresAt: past })).secret);
  revokedToken = new TokenClient(h.url, (await insertToken(h.db, { role: "admin", revokedAt: past })).secret);
});
afterAll(() => h.close());

const call = (c: Client | TokenClient, p: (typeof procedures)[number]) =>
  p.type === "query" ? c.query(p.path, {}) : c.mutate(p.path, {});

describe("procedure guards", () => {
  it("finds the procedures, each with a declared scope", () => {
    expect(procedures.length).toBeGreaterThan(4);
    for (const p of procedures) expect(p.scope, `${p.path} declares no scope`).toBeDefined();
    expect(procedures.filter((p) => p.scope === "public").map((p) => p.path)).toEqual(publicProcedures);
  });

  for (const p of procedures.filter((p) => p.scope !== "public")) {
    it(`${p.path} (${p.scope}) refuses anonymous callers with 401`, async () => {
      const r = await call(new Client(h.url), p);
      expect(r.status).toBe(401);
    });

    for (const role of Role.options) {
      if (p.scope === "public" || !p.scope || hasScope(role, p.scope)) continue;
      it(`${p.path} (${p.scope}) refuses ${role} with 403`, async () => {
        const r = await call(clients[role], p);
        expect(r.status).toBe(403);
        expect(r.body.error?.message).toContain(p.scope as string);
      });
    }

    it(`${p.path} (${p.scope}) refuses expired and revoked tokens with 401`, async () => {
      const expired = await call(expiredToken, p);
      expect(expired.status).toBe(401);
      expect(expired.body.error?.message).toContain("expired");
      const revoked = await call(revokedToken, p);
      expect(revoked.status).toBe(401);
      expect(revoked.body.error?.message).toContain("revoked");
    });

    for (const role of Role.options) {
      if (p.scope === "public" || !p.scope) continue;
      if (p.scope !== "self" && hasScope(role, p.scope)) continue;
      it(`${p.path} (${p.scope}) refuses a ${role} token with 403`, async () => {
        const r = await call(tokenClients[role], p);
        expect(r.status).toBe(403);
        expect(r.body.error?.message).toContain(p.scope as string);
      });
    }

    if (p.scope !== "self") {
      // The other side of the same check: a token whose role holds the scope gets past the guard
      // (its empty input may still be refused, with a 400 or a 404, but never a 401 or a 403).
      it(`${p.path} (${p.scope}) lets an admin token through its guard`, async () => {
        const r = await call(tokenClients.admin, p);
        expect([401, 403]).not.toContain(r.status);
      });
    }
  }
});
