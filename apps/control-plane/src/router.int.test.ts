/**
 * Every procedure declares a scope, and the server enforces it: anonymous callers get 401 and
 * every role without the scope gets 403. Enumerates the real router, so a new procedure is
 * covered the moment it is added.
 */
import { hasScope, Role } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type Harness, startHarness } from "../test/harness.ts";
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
beforeAll(async () => {
  h = await startHarness();
  for (const role of Role.options) clients[role] = await new Client(h.url).login(role);
});
afterAll(() => h.close());

const call = (c: Client, p: (typeof procedures)[number]) =>
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
  }
});
