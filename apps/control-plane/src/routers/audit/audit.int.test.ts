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
  items: Array<{ id: string; action: string; actorEmail: string; ip: string; targetType: string }>;
  nextCursor: string | null;
};
const page = (r: { body: { result?: { data: unknown } } }) => r.body.result?.data as Page;

describe("audit log", () => {
  it("records sign-ins with actor, action, target, IP and time", async () => {
    const r = await admin.query("audit.list", { action: "auth.login", actor: demoEmails.admin, limit: 5 });
    expect(r.status).toBe(200);
    const first = page(r).items[0]!;
    expect(first).toMatchObject({
      action: "auth.login",
      actorEmail: demoEmails.admin,
      ip: "198.51.100.9",
      targetType: "session",
    });
  });

  it("pages with a keyset cursor: no entry is repeated or skipped", async () => {
    await h.db.$transaction(async (tx) => {
      for (let i = 0; i < 25; i++) {
        await recordAudit(
          tx,
          { id: null, email: "pager@example.com", ip: null },
          { action: "test.page", targetType: "thing", targetId: `t${i}` },
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
    expect(byTarget.items.map((i) => i.action)).toEqual(["test.page"]);
    const future = page(
      await admin.query("audit.list", { from: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    expect(future.items).toHaveLength(0);
  });

  it("lists the distinct actions for the filter", async () => {
    const r = await admin.query("audit.actions");
    expect(r.body.result?.data).toEqual(expect.arrayContaining(["auth.login", "test.page"]));
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
          { action: "test.rollback", targetType: "thing" },
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
