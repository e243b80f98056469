import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, demoEmails, fieldErrors, type Harness, startHarness } from "../../../test/harness.ts";
import { recordAudit } from "../../services/audit/record.ts";

let h: Harness;
let admin: Client;
beforeAll(async () => {
  h = await startHarness();
  admin = await new Client(h.url, "198.51.100.9").login("admin");
});
afterAll(() => h.close());

type Page = {
  items: Array<{
    id: string;
    action: string;
    actorEmail: string;
    ip: string;
    targetType: string;
    targetId: string | null;
    targetName: string | null;
  }>;
  nextCursor: string | null;
};
const page = (r: { body: { result?: { data: unknown } } }) => r.body.result?.data as Page;

describe("audit log", () => {
  it("records sign-ins with actor, action, target, IP and time", async () => {
    const r = await admin.query("audit.list", {
      action: "user.signed_in",
      actor: demoEmails.admin,
      limit: 5,
    });
    expect(r.status).toBe(200);
    const first = page(r).items[0]!;
    expect(first).toMatchObject({
      action: "user.signed_in",
      actorEmail: demoEmails.admin,
      ip: "198.51.100.9",
      targetType: "session",
      targetName: demoEmails.admin,
    });
  });

  it("pages with a keyset cursor: no entry is repeated or skipped", async () => {
    await h.db.$transaction(async (tx) => {
      for (let i = 0; i < 25; i++) {
        await recordAudit(
          tx,
          { id: null, email: "pager@example.com", ip: null },
          { action: "key.updated", targetType: "thing", targetId: `t${i}` },
        );
      }
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p: Page = page(
        await admin.query("audit.list", {
          actor: "pager@example.com",
          limit: 10,
          ...(cursor ? { cursor } : {}),
        }),
      );
      seen.push(...p.items.map((i) => i.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
  });

  it("filters by target and by time range", async () => {
    const byTarget = page(await admin.query("audit.list", { target: "thing:t3" }));
    expect(byTarget.items.map((i) => i.action)).toEqual(["key.updated"]);
    const future = page(
      await admin.query("audit.list", { from: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    expect(future.items).toHaveLength(0);
  });

  it("lists the distinct actions for the filter", async () => {
    const r = await admin.query("audit.actions");
    expect(r.body.result?.data).toEqual(expect.arrayContaining(["user.signed_in", "key.updated"]));
  });

  it("shows entries written under old action names under today's, and filters by either name", async () => {
    const actor = "legacy@example.com";
    // As releases before the `<target>.<past tense>` names wrote them; the log is never rewritten.
    await h.db.$executeRaw`
      INSERT INTO audit_log (actor_email, action, target_type, target_id)
      VALUES (${actor}, 'providers.create', 'provider', 'p-old'), (${actor}, 'auth.login', 'session', 's-old')`;
    await h.db.$transaction((tx) =>
      recordAudit(
        tx,
        { id: null, email: actor, ip: null },
        { action: "provider.created", targetType: "provider", targetId: "p-new", targetName: "New one" },
      ),
    );
    const all = page(await admin.query("audit.list", { actor }));
    expect(all.items.map((i) => [i.action, i.targetId, i.targetName])).toEqual([
      ["provider.created", "p-new", "New one"],
      ["user.signed_in", "s-old", null],
      ["provider.created", "p-old", null],
    ]);
    for (const action of ["provider.created", "providers.create"]) {
      const byAction = page(await admin.query("audit.list", { actor, action }));
      expect(byAction.items.map((i) => i.targetId)).toEqual(["p-new", "p-old"]);
    }
    const actions = (await admin.query("audit.actions")).body.result?.data as string[];
    expect(actions).toEqual(expect.arrayContaining(["provider.created", "user.signed_in"]));
    expect(actions).not.toContain("providers.create");
    expect(actions).not.toContain("auth.login");
  });

  it("hides sign-ins, sign-outs and failed sign-ins when asked, under old names too", async () => {
    const actor = "signins@example.com";
    await h.db.$executeRaw`
      INSERT INTO audit_log (actor_email, action, target_type)
      VALUES (${actor}, 'auth.login', 'session'), (${actor}, 'auth.logout', 'session'),
             (${actor}, 'auth.login_failed', 'user')`;
    await h.db.$transaction(async (tx) => {
      for (const action of ["user.signed_in", "user.sign_in_failed", "user.signed_out"] as const) {
        await recordAudit(tx, { id: null, email: actor, ip: null }, { action, targetType: "session" });
      }
      await recordAudit(
        tx,
        { id: null, email: actor, ip: null },
        { action: "user.password_changed", targetType: "user" },
      );
    });
    expect(page(await admin.query("audit.list", { actor })).items).toHaveLength(7);
    const hidden = page(await admin.query("audit.list", { actor, hideSignIns: true }));
    expect(hidden.items.map((i) => i.action)).toEqual(["user.password_changed"]);
    const both = page(await admin.query("audit.list", { actor, hideSignIns: true, action: "auth.login" }));
    expect(both.items).toHaveLength(0);
  });

  it("is append-only: Postgres refuses updates and deletes", async () => {
    await expect(h.db.auditLog.updateMany({ data: { action: "tampered" } })).rejects.toThrow(/append-only/);
    await expect(h.db.auditLog.deleteMany({})).rejects.toThrow(/append-only/);
  });

  it("writes the entry in the same transaction as the change: a failed change leaves no entry", async () => {
    await expect(
      h.db.$transaction(async (tx) => {
        await recordAudit(
          tx,
          { id: null, email: "rollback@example.com", ip: null },
          { action: "key.updated", targetType: "thing" },
        );
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(page(await admin.query("audit.list", { actor: "rollback@example.com" })).items).toHaveLength(0);
  });

  it("rejects a malformed cursor with a field error", async () => {
    const r = await admin.query("audit.list", { cursor: "abc" });
    expect(r.status).toBe(400);
    expect(fieldErrors(r).cursor).toBeDefined();
  });
});
