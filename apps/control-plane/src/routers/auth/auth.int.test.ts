import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  demoEmails,
  demoPasswords,
  fieldErrors,
  type Harness,
  startHarness,
} from "../../../test/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("sign-in", () => {
  it("signs in with the right password, sets an httpOnly SameSite cookie, and knows the user", async () => {
    const c = new Client(h.url);
    const r = await c.mutate("auth.login", { email: demoEmails.admin, password: demoPasswords.admin });
    expect(r.status).toBe(200);
    const cookie = r.setCookie.find((s) => s.startsWith("sy_session="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const me = await c.query("auth.me");
    expect(me.status).toBe(200);
    expect(me.body.result?.data).toMatchObject({ email: demoEmails.admin, role: "admin" });
  });

  it("accepts the email in any case and with spaces around it", async () => {
    const c = new Client(h.url);
    const r = await c.mutate("auth.login", { email: "  ADMIN@Example.com ", password: demoPasswords.admin });
    expect(r.status).toBe(200);
  });

  it("gives the same generic error for a wrong password and for an unknown account", async () => {
    const wrong = await new Client(h.url).mutate("auth.login", {
      email: demoEmails.finance,
      password: "nope-nope-nope",
    });
    const unknown = await new Client(h.url).mutate("auth.login", {
      email: "ghost@example.com",
      password: "nope-nope-nope",
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error?.message).toBe("Email or password is incorrect");
    expect(unknown.body.error?.message).toBe(wrong.body.error?.message);
  });

  it("returns field-level errors for invalid input", async () => {
    const r = await new Client(h.url).mutate("auth.login", { email: "not-an-email", password: "" });
    expect(r.status).toBe(400);
    const errors = fieldErrors(r);
    expect(errors.email?.[0]).toMatch(/valid email/);
    expect(errors.password?.[0]).toMatch(/Enter your password/);
  });

  it("refuses an anonymous caller with 401", async () => {
    const r = await new Client(h.url).query("auth.me");
    expect(r.status).toBe(401);
  });

  it("refuses a forged or expired session cookie with 401", async () => {
    const c = new Client(h.url);
    c.cookie = "sy_session=forged";
    expect((await c.query("auth.me")).status).toBe(401);

    await c.login("reviewer");
    await h.db.session.updateMany({
      where: { user: { email: demoEmails.reviewer } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await c.query("auth.me")).status).toBe(401);
  });

  it("signs out: the session is gone server-side and the cookie is cleared", async () => {
    const c = await new Client(h.url).login("finance");
    const stolen = c.cookie;
    const r = await c.mutate("auth.logout");
    expect(r.status).toBe(200);
    expect(r.setCookie.some((s) => /sy_session=;.*Max-Age=0/.test(s))).toBe(true);
    const replay = new Client(h.url);
    replay.cookie = stolen;
    expect((await replay.query("auth.me")).status).toBe(401);
  });
});

describe("session lifetime", () => {
  const day = 24 * 3_600_000;

  it("refuses a session past its absolute lifetime even while it is in use", async () => {
    const c = await new Client(h.url).login("finance");
    expect((await c.query("auth.me")).status).toBe(200);
    const session = await h.db.session.findFirstOrThrow({
      where: { user: { email: demoEmails.finance } },
      orderBy: { createdAt: "desc" },
    });
    // Active a moment ago, idle expiry hours away: only its age (8 days > 7) ends it.
    await h.db.session.update({
      where: { id: session.id },
      data: {
        createdAt: new Date(Date.now() - 8 * day),
        lastSeenAt: new Date(Date.now() - 1000),
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    expect((await c.query("auth.me")).status).toBe(401);
  });

  it("never slides the idle expiry past the absolute end", async () => {
    const c = await new Client(h.url).login("reviewer");
    const session = await h.db.session.findFirstOrThrow({
      where: { user: { email: demoEmails.reviewer } },
      orderBy: { createdAt: "desc" },
    });
    const createdAt = new Date(Date.now() - 7 * day + 30 * 60_000);
    await h.db.session.update({
      where: { id: session.id },
      data: { createdAt, lastSeenAt: new Date(Date.now() - 5 * 60_000) },
    });
    expect((await c.query("auth.me")).status).toBe(200);
    const slid = await h.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(slid.expiresAt.getTime()).toBe(createdAt.getTime() + 7 * day);
  });

  it("lets the browser keep the cookie until the absolute end; the server enforces the idle limit", async () => {
    const r = await new Client(h.url).mutate("auth.login", {
      email: demoEmails.admin,
      password: demoPasswords.admin,
    });
    const expires = /Expires=([^;]+)/.exec(r.setCookie.find((s) => s.startsWith("sy_session=")) ?? "")?.[1];
    const inDays = (new Date(expires ?? 0).getTime() - Date.now()) / day;
    expect(inDays).toBeGreaterThan(6.9);
    expect(inDays).toBeLessThanOrEqual(7);
  });
});

/** A finance user of its own (so its lock touches no other test) with the demo finance password. */
async function financeUserWithDemoPassword(email: string): Promise<void> {
  const demo = await h.db.user.findUniqueOrThrow({ where: { email: demoEmails.finance } });
  await h.db.user.upsert({
    where: { email },
    create: { email, name: email, role: "finance", passwordHash: demo.passwordHash, orgId: demo.orgId },
    update: {},
  });
}

describe("login throttling", () => {
  it("locks an account after repeated failures, with Retry-After, even for the right password", async () => {
    await financeUserWithDemoPassword("throttle@example.com");
    const c = new Client(h.url);
    for (let i = 0; i < 5; i++) {
      expect(
        (await c.mutate("auth.login", { email: "throttle@example.com", password: "wrong-password" })).status,
      ).toBe(401);
    }
    const locked = await c.mutate("auth.login", {
      email: "throttle@example.com",
      password: demoPasswords.finance,
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(locked.body.error?.data.retryAfterSeconds).toBeGreaterThan(0);
    expect(locked.body.error?.message).toMatch(/Try again in \d+ seconds/);
  });

  it("lets no more than the limit of a burst of parallel guesses reach the password check", async () => {
    const email = "burst@example.com";
    await financeUserWithDemoPassword(email);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new Client(h.url, `198.51.100.${i + 1}`)
          .mutate("auth.login", { email, password: `wrong-password-${i}` })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("does not count successful sign-ins against the IP", async () => {
    const c = new Client(h.url, "203.0.113.50");
    for (let i = 0; i < 35; i++) {
      expect(
        (await c.mutate("auth.login", { email: demoEmails.admin, password: demoPasswords.admin })).status,
      ).toBe(200);
    }
  });

  it("believes only the address the trusted proxy appended, not what the client put before it", async () => {
    // The dashboard server appends the address it saw; a client spraying forged entries in front
    // of it is still one client.
    for (let i = 0; i < 30; i++) {
      await new Client(h.url, `10.9.${i}.1, 203.0.113.91`).mutate("auth.login", {
        email: `forged${i}@example.com`,
        password: "wrong-password",
      });
    }
    const r = await new Client(h.url, "10.200.0.1, 203.0.113.91").mutate("auth.login", {
      email: demoEmails.admin,
      password: demoPasswords.admin,
    });
    expect(r.status).toBe(429);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy: varying it dodges nothing", async () => {
    // As a client reaching the control plane directly would: its peer address is not the dashboard's.
    const direct = await startHarness({ trustedProxies: "192.0.2.10" });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 35; i++) {
        const r = await new Client(direct.url, `198.18.${i}.1`).mutate("auth.login", {
          email: `direct${i}@example.com`,
          password: "wrong-password",
        });
        statuses.push(r.status);
      }
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
      const entry = await direct.db.auditLog.findFirstOrThrow({
        where: { action: "user.sign_in_failed", actorEmail: "direct0@example.com" },
        select: { ip: true },
      });
      expect(entry.ip).toBe("127.0.0.1");
    } finally {
      await direct.close();
    }
  });

  it("keeps sign-in working, and throttled, while Redis cannot be reached", async () => {
    const down = await startHarness({ redis: true, redisUrl: "redis://127.0.0.1:1" });
    try {
      const c = new Client(down.url, "203.0.113.120");
      const ok = await c.mutate("auth.login", { email: demoEmails.admin, password: demoPasswords.admin });
      expect(ok.status).toBe(200);
      const email = "redis-down@example.com";
      for (let i = 0; i < 5; i++) {
        expect((await c.mutate("auth.login", { email, password: "wrong-password" })).status).toBe(401);
      }
      expect((await c.mutate("auth.login", { email, password: "wrong-password" })).status).toBe(429);
    } finally {
      await down.close();
    }
  });

  it("locks an IP that tries many accounts", async () => {
    const c = new Client(h.url, "203.0.113.77");
    for (let i = 0; i < 30; i++) {
      await c.mutate("auth.login", { email: `spray${i}@example.com`, password: "wrong-password" });
    }
    const r = await c.mutate("auth.login", { email: demoEmails.admin, password: demoPasswords.admin });
    expect(r.status).toBe(429);
    // Another IP is unaffected.
    expect(
      (
        await new Client(h.url, "203.0.113.78").mutate("auth.login", {
          email: demoEmails.admin,
          password: demoPasswords.admin,
        })
      ).status,
    ).toBe(200);
  });
});

describe("change password", () => {
  it("locks after repeated wrong current passwords, with Retry-After, even for the right one", async () => {
    const email = "change-throttle@example.com";
    await financeUserWithDemoPassword(email);
    const c = new Client(h.url);
    expect((await c.mutate("auth.login", { email, password: demoPasswords.finance })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await c.mutate("auth.changePassword", {
        currentPassword: `wrong-guess-${i}`,
        newPassword: "a-brand-new-password",
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    const locked = await c.mutate("auth.changePassword", {
      currentPassword: demoPasswords.finance,
      newPassword: "a-brand-new-password",
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(locked.body.error?.message).toMatch(/Too many wrong current passwords\. Try again in \d+ seconds/);
    // The password did not change.
    expect(
      (await new Client(h.url).mutate("auth.login", { email, password: demoPasswords.finance })).status,
    ).toBe(200);
    const failures = await h.db.auditLog.count({
      where: { action: "user.password_change_failed", actorEmail: email },
    });
    expect(failures).toBe(5);
  });

  it("requires the current password, ends other sessions, and the new one works", async () => {
    const a = await new Client(h.url).login("reviewer");
    const other = await new Client(h.url).login("reviewer");
    const bad = await a.mutate("auth.changePassword", {
      currentPassword: "wrong",
      newPassword: "a-brand-new-password",
    });
    expect(bad.status).toBe(400);
    expect(fieldErrors(bad).currentPassword).toBeDefined();

    const short = await a.mutate("auth.changePassword", {
      currentPassword: demoPasswords.reviewer,
      newPassword: "short",
    });
    expect(fieldErrors(short).newPassword?.[0]).toMatch(/at least 12/);

    const ok = await a.mutate("auth.changePassword", {
      currentPassword: demoPasswords.reviewer,
      newPassword: "a-brand-new-password",
    });
    expect(ok.status).toBe(200);
    expect((await a.query("auth.me")).status).toBe(200);
    expect((await other.query("auth.me")).status).toBe(401);
    const relogin = await new Client(h.url).mutate("auth.login", {
      email: demoEmails.reviewer,
      password: "a-brand-new-password",
    });
    expect(relogin.status).toBe(200);
    await a.mutate("auth.changePassword", {
      currentPassword: "a-brand-new-password",
      newPassword: demoPasswords.reviewer,
    });
  });
});
