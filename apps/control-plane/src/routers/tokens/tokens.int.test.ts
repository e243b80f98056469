/**
 * Admin API tokens end to end over HTTP: created in a session (the secret once, only its hash
 * stored), listed, used as `Authorization: Bearer` on other procedures with the role's scopes,
 * refused with 401 once expired or revoked, audited as the token, and never a way to more power
 * or a longer life than the caller has.
 */
import type { AuditEntryView, KeyView, TokenView, TokenWithSecret } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  demoEmails,
  demoPasswords,
  fieldErrors,
  type Harness,
  startHarness,
  type TrpcResult,
} from "../../../test/harness.ts";
import { insertToken, TokenClient } from "../../../test/tokens.ts";
import { hashAdminToken } from "../../services/tokens/secret.ts";

let h: Harness;
let admin: Client;
let ownerId: string;

beforeAll(async () => {
  h = await startHarness();
  admin = await new Client(h.url).login("admin");
  ownerId = (await h.db.user.findUniqueOrThrow({ where: { email: demoEmails.admin } })).id;
});
afterAll(() => h.close());

function data<T>(r: TrpcResult): T {
  if (!r.body.result) throw new Error(`call failed (${r.status}): ${JSON.stringify(r.body)}`);
  return r.body.result.data as T;
}

const name = (what: string) => `${what} ${Math.random().toString(36).slice(2, 8)}`;

async function createToken(by: Client | TokenClient, input: Record<string, unknown> = {}) {
  const r = await by.mutate("tokens.create", {
    name: name("token"),
    role: "admin",
    expiresInDays: 30,
    ...input,
  });
  return { r, created: r.status === 200 ? data<TokenWithSecret>(r) : null };
}

const keyInput = () => ({
  name: name("key"),
  owner: { type: "user", id: ownerId },
  allowedModels: [],
  tags: [],
  metadata: {},
});

describe("creating and listing tokens", () => {
  it("shows the secret once, stores only its hash, and lists the token without it", async () => {
    const before = Date.now();
    const { r, created } = await createToken(admin, {
      name: "terraform",
      role: "finance",
      expiresInDays: 90,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { token, secret } = created!;
    expect(secret).toMatch(/^sy_admin_[0-9A-Za-z]{40}$/);
    expect(token).toMatchObject({ name: "terraform", role: "finance", status: "active", revokedAt: null });
    expect(token.createdBy.email).toBe(demoEmails.admin);
    expect(secret.startsWith(token.prefix)).toBe(true);
    const expires = Date.parse(token.expiresAt) - before;
    expect(expires).toBeGreaterThanOrEqual(90 * 86_400_000);
    expect(expires).toBeLessThan(90 * 86_400_000 + 60_000);

    const row = await h.db.adminToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.hash).toBe(hashAdminToken(secret));
    expect(JSON.stringify(row)).not.toContain(secret);

    const list = await admin.query("tokens.list", {});
    const listed = data<TokenView[]>(list).find((t) => t.id === token.id);
    expect(listed).toEqual(token);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(list.body)).not.toContain(row.hash);
  });

  it("requires a name, a role and an expiry of a day to a year", async () => {
    const noExpiry = await admin.mutate("tokens.create", { name: "x", role: "admin" });
    expect(noExpiry.status).toBe(400);
    expect(fieldErrors(noExpiry).expiresInDays).toBeDefined();
    for (const days of [0, 366, 1.5]) {
      const r = await admin.mutate("tokens.create", { name: "x", role: "admin", expiresInDays: days });
      expect(r.status, `${days} days`).toBe(400);
      expect(fieldErrors(r).expiresInDays).toBeDefined();
    }
    const noName = await admin.mutate("tokens.create", { name: " ", role: "admin", expiresInDays: 1 });
    expect(fieldErrors(noName).name).toEqual(["Give the token a name"]);
    const badRole = await admin.mutate("tokens.create", { name: "x", role: "owner", expiresInDays: 1 });
    expect(fieldErrors(badRole).role).toBeDefined();
  });

  it("is for admins only", async () => {
    for (const role of ["reviewer", "finance"] as const) {
      const c = await new Client(h.url).login(role);
      expect((await createToken(c)).r.status).toBe(403);
      expect((await c.query("tokens.list", {})).status).toBe(403);
    }
  });
});

describe("calling with a token", () => {
  it("authenticates a procedure with Authorization: Bearer, as curl sends it (no cookie, no Origin)", async () => {
    const { created } = await createToken(admin);
    const script = new TokenClient(h.url, created!.secret);
    const key = await script.mutate("keys.create", keyInput());
    expect(key.status, JSON.stringify(key.body)).toBe(200);
    const keys = await script.query("keys.list", {});
    expect(data<{ items: KeyView[] }>(keys).items.map((k) => k.id)).toContain(
      data<{ key: KeyView }>(key).key.id,
    );
  });

  it("records the last use, at most once a minute", async () => {
    const { id, secret } = await insertToken(h.db, { role: "admin" });
    const script = new TokenClient(h.url, secret);
    expect((await h.db.adminToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeNull();
    expect((await script.query("keys.list", {})).status).toBe(200);
    const first = (await h.db.adminToken.findUniqueOrThrow({ where: { id } })).lastUsedAt;
    expect(first).not.toBeNull();
    expect((await script.query("keys.list", {})).status).toBe(200);
    expect((await h.db.adminToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(first);
    // A minute later the next call writes it again.
    const earlier = new Date(Date.now() - 61_000);
    await h.db.adminToken.update({ where: { id }, data: { lastUsedAt: earlier } });
    expect((await script.query("keys.list", {})).status).toBe(200);
    const later = (await h.db.adminToken.findUniqueOrThrow({ where: { id } })).lastUsedAt!;
    expect(later.getTime()).toBeGreaterThan(earlier.getTime());
  });

  it("holds the token's role to that role's scopes, as for a session", async () => {
    const finance = new TokenClient(h.url, (await insertToken(h.db, { role: "finance" })).secret);
    const refused = await finance.query("keys.list", {});
    expect(refused.status).toBe(403);
    expect(refused.body.error?.message).toContain("keys:read");
    expect((await finance.mutate("keys.create", keyInput())).status).toBe(403);
    expect((await finance.query("audit.list", {})).status).toBe(403);
    const reviewer = new TokenClient(h.url, (await insertToken(h.db, { role: "reviewer" })).secret);
    expect((await reviewer.mutate("providers.reencrypt")).status).toBe(403);
  });

  it("refuses an expired token with 401 saying it expired", async () => {
    const { secret } = await insertToken(h.db, { role: "admin", expiresAt: new Date(Date.now() - 1000) });
    const r = await new TokenClient(h.url, secret).query("keys.list", {});
    expect(r.status).toBe(401);
    expect(r.body.error?.message).toMatch(/expired on \d{4}-/);
  });

  it("refuses a revoked token with 401 saying it was revoked, from the next call on", async () => {
    const { created } = await createToken(admin);
    const script = new TokenClient(h.url, created!.secret);
    expect((await script.query("keys.list", {})).status).toBe(200);
    const revoked = await admin.mutate("tokens.revoke", { id: created!.token.id });
    expect(data<TokenView>(revoked)).toMatchObject({ status: "revoked" });
    const r = await script.query("keys.list", {});
    expect(r.status).toBe(401);
    expect(r.body.error?.message).toMatch(/revoked on \d{4}-/);
    // Revoking again changes nothing and writes no second entry.
    expect((await admin.mutate("tokens.revoke", { id: created!.token.id })).status).toBe(200);
    const entries = await h.db.auditLog.count({
      where: { action: "token.revoked", targetId: created!.token.id },
    });
    expect(entries).toBe(1);
  });

  it("refuses what is not a token, and a token whose creator is disabled", async () => {
    for (const secret of ["sk-sy-notanadmintoken", "sy_admin_doesnotexist", ""]) {
      const r = await new TokenClient(h.url, secret).query("keys.list", {});
      expect(r.status, secret).toBe(401);
    }
    const creator = await h.db.user.create({
      data: {
        orgId: (await h.db.user.findUniqueOrThrow({ where: { id: ownerId } })).orgId,
        email: `${name("leaver").replace(" ", "-")}@example.com`,
        name: "Leaver",
        role: "admin",
        passwordHash: "unused",
      },
    });
    const { secret } = await insertToken(h.db, { role: "admin", createdBy: creator.email });
    const script = new TokenClient(h.url, secret);
    expect((await script.query("keys.list", {})).status).toBe(200);
    await h.db.user.update({ where: { id: creator.id }, data: { disabledAt: new Date() } });
    const r = await script.query("keys.list", {});
    expect(r.status).toBe(401);
    expect(r.body.error?.message).toContain("disabled");
  });

  it("cannot change a user's password or sign anyone out", async () => {
    const script = new TokenClient(h.url, (await insertToken(h.db, { role: "admin" })).secret);
    const before = (await h.db.user.findUniqueOrThrow({ where: { id: ownerId } })).passwordHash;
    const r = await script.mutate("auth.changePassword", {
      currentPassword: demoPasswords.admin,
      newPassword: "a-brand-new-password-456",
    });
    expect(r.status).toBe(403);
    expect(r.body.error?.message).toContain("API token");
    expect((await h.db.user.findUniqueOrThrow({ where: { id: ownerId } })).passwordHash).toBe(before);
    expect((await script.mutate("auth.logout")).status).toBe(403);
  });

  it("leaves a session alone when a single-sign-on proxy adds its own Bearer token", async () => {
    const r = await fetch(`${h.url}/trpc/keys.list?input=%7B%7D`, {
      headers: { authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.sso.token", cookie: admin.cookie ?? "" },
    });
    expect(r.status).toBe(200);
  });

  it("is still refused cross-site from a browser with a cookie, and passes from curl", async () => {
    const { secret } = await insertToken(h.db, { role: "admin" });
    const crossSite = await fetch(`${h.url}/trpc/keys.list?input=%7B%7D`, {
      headers: {
        authorization: `Bearer ${secret}`,
        cookie: admin.cookie ?? "",
        origin: "http://evil.example",
        "sec-fetch-site": "cross-site",
      },
    });
    expect(crossSite.status).toBe(403);
    const curl = await fetch(`${h.url}/trpc/keys.list?input=%7B%7D`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(curl.status).toBe(200);
  });
});

describe("audit", () => {
  it("names the token as the actor of what it does", async () => {
    const { created } = await createToken(admin, { name: "ci pipeline" });
    const script = new TokenClient(h.url, created!.secret);
    const key = data<{ key: KeyView }>(await script.mutate("keys.create", keyInput())).key;
    const entry = await h.db.auditLog.findFirstOrThrow({
      where: { action: "key.created", targetId: key.id },
    });
    expect(entry).toMatchObject({
      actorId: null,
      actorEmail: null,
      actorTokenId: created!.token.id,
      actorTokenName: "ci pipeline",
    });
    // The Audit page reads it back as the token.
    const listed = data<{ items: AuditEntryView[] }>(
      await admin.query("audit.list", { target: `api_key:${key.id}` }),
    ).items;
    expect(listed.map((e) => [e.action, e.actorEmail, e.actorToken])).toEqual([
      ["key.created", null, { id: created!.token.id, name: "ci pipeline" }],
    ]);
  });

  it("records creating and revoking a token, without its secret or hash", async () => {
    const { created } = await createToken(admin, { name: "audited" });
    await admin.mutate("tokens.revoke", { id: created!.token.id });
    const entries = await h.db.auditLog.findMany({
      where: { targetType: "admin_token", targetId: created!.token.id },
      orderBy: { id: "asc" },
    });
    expect(entries.map((e) => e.action)).toEqual(["token.created", "token.revoked"]);
    for (const e of entries) {
      expect(e).toMatchObject({ actorEmail: demoEmails.admin, actorTokenId: null });
      const written = JSON.stringify({ before: e.before, after: e.after });
      expect(written).not.toContain(created!.secret);
      expect(written).not.toContain(hashAdminToken(created!.secret));
    }
  });
});

describe("no escalation through a token", () => {
  it("a token without the admin role cannot create tokens at all", async () => {
    for (const role of ["reviewer", "finance"] as const) {
      const script = new TokenClient(h.url, (await insertToken(h.db, { role })).secret);
      const r = await createToken(script, { role });
      expect(r.r.status).toBe(403);
    }
  });

  it("a token cannot create a token that outlives it; within its life the new one acts for the same person", async () => {
    const { secret, id } = await insertToken(h.db, {
      role: "admin",
      expiresAt: new Date(Date.now() + 10 * 86_400_000),
    });
    const script = new TokenClient(h.url, secret);
    const tooLong = await createToken(script, { expiresInDays: 30 });
    expect(tooLong.r.status).toBe(400);
    expect(fieldErrors(tooLong.r).expiresInDays).toEqual(["Choose at most 9 days"]);

    const ok = await createToken(script, { expiresInDays: 9, role: "finance" });
    expect(ok.r.status, JSON.stringify(ok.r.body)).toBe(200);
    expect(ok.created!.token.createdBy.id).toBe(ownerId);
    const entry = await h.db.auditLog.findFirstOrThrow({
      where: { action: "token.created", targetId: ok.created!.token.id },
    });
    expect(entry.actorTokenId).toBe(id);
  });
});
