/**
 * Scheduled key rotation against the real database and a real local webhook receiver: a due key
 * is rotated once (even by two runs at the same time), its owner is notified, the webhook gets a
 * secret that proxies accept, and a failing webhook is recorded without stopping the job.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GatewayConfig, type KeyRotatedWebhook, type KeyWithSecret } from "@switchyard/core";
import { hashApiKey } from "@switchyard/core/keys/secret";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Client, dataPlaneToken, type Harness, startHarness } from "../../test/harness.ts";
import { type KeyRotationDeps, keyRotationJob, rotateDueKeys } from "./key-rotation.ts";
import { startScheduler } from "./scheduler.ts";

let h: Harness;
let admin: Client;
let finance: Client;
let hooks: Server;
let hookUrl: string;
const received: Array<{ path: string; body: KeyRotatedWebhook }> = [];
let deps: KeyRotationDeps;

beforeAll(async () => {
  h = await startHarness();
  admin = await new Client(h.url).login("admin");
  finance = await new Client(h.url).login("finance");
  hooks = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => {
      raw += c.toString();
    });
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(raw) as KeyRotatedWebhook });
      res.writeHead(req.url === "/fail" ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  deps = {
    db: h.db,
    bus: h.bus,
    vault: h.vault,
    webhook: { timeoutMs: 5000, retryDelaysMs: [20, 20] },
  };
});
afterAll(async () => {
  await new Promise((r) => hooks.close(r));
  await h.close();
});

async function snapshot(): Promise<GatewayConfig> {
  const r = await fetch(`${h.url}/data-plane/v1/config?after=0`, {
    headers: { authorization: `Bearer ${dataPlaneToken}` },
  });
  return GatewayConfig.parse(await r.json());
}

async function ownerIds() {
  const data = (await admin.query("keys.formOptions")).body.result?.data as {
    users: Array<{ id: string; email: string }>;
    teams: Array<{ id: string }>;
  };
  return {
    adminId: data.users.find((u) => u.email === "admin@example.com")!.id,
    teamId: data.teams[0]!.id,
  };
}

/** A key with a 7-day policy whose rotation is due now. */
async function dueKey(owner: { type: "user" | "team"; id: string }, webhookPath: string, grace = 15) {
  const r = await admin.mutate("keys.create", {
    name: `scheduled ${Math.random().toString(36).slice(2, 8)}`,
    owner,
    allowedModels: [],
    tags: [],
    metadata: {},
    rotationDays: 7,
    rotationGraceMinutes: grace,
    notifyWebhookUrl: `${hookUrl}${webhookPath}`,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const created = r.body.result?.data as KeyWithSecret;
  await h.db.apiKey.update({
    where: { id: created.key.id },
    data: { nextRotationAt: new Date(Date.now() - 1000) },
  });
  return created;
}

type NoticeList = {
  items: Array<{ id: string; kind: string; severity: string; title: string; body: string; targetId: string }>;
  unread: number;
};
const notices = async (c: Client, input: Record<string, unknown> = {}) =>
  (await c.query("notifications.list", input)).body.result?.data as NoticeList;

describe("scheduled key rotation", () => {
  it("rotates a due key once even when two runs race, and delivers a live secret to the webhook", async () => {
    const { adminId } = await ownerIds();
    const { key, secret: oldSecret } = await dueKey({ type: "user", id: adminId }, "/ok");
    const unreadBefore = (await notices(admin)).unread;

    const [a, b] = await Promise.all([rotateDueKeys(deps), rotateDueKeys(deps)]);
    const runs = [...a, ...b].filter((r) => r.keyId === key.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.webhook).toMatchObject({ ok: true, status: 204, attempts: 1 });

    const posts = received.filter((p) => p.body.keyId === key.id);
    expect(posts).toHaveLength(1);
    const body = posts[0]!.body;
    expect(body).toMatchObject({ event: "key.rotated", keyId: key.id, keyName: key.name });
    expect(body.newSecret).toMatch(/^sk-sy-/);
    expect(body.newSecret).not.toBe(oldSecret);
    expect(Math.abs(Date.parse(body.oldSecretValidUntil ?? "") - (Date.now() + 15 * 60_000))).toBeLessThan(
      60_000,
    );

    // The proxy accepts the new secret; the old one until the grace ends.
    const entry = (await snapshot()).keys.find((k) => k.id === key.id);
    expect(entry?.hashes).toEqual(
      expect.arrayContaining([
        { hash: hashApiKey(body.newSecret), validUntil: null },
        { hash: hashApiKey(oldSecret), validUntil: body.oldSecretValidUntil },
      ]),
    );
    expect(await h.db.apiKeySecret.count({ where: { keyId: key.id } })).toBe(2);

    const row = await h.db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(Math.abs((row.nextRotationAt?.getTime() ?? 0) - (Date.now() + 7 * 86_400_000))).toBeLessThan(
      60_000,
    );

    // The owner is told in the dashboard, without the secret.
    const list = await notices(admin);
    const notice = list.items.find((n) => n.targetId === key.id);
    expect(notice).toMatchObject({ kind: "key.rotated", severity: "info" });
    expect(notice?.title).toContain(key.name);
    expect(notice?.body).toContain("sent to the key's webhook");
    expect(JSON.stringify(list)).not.toContain(body.newSecret);
    expect(list.unread).toBe(unreadBefore + 1);
    const read = await admin.mutate("notifications.markRead", { ids: [notice!.id] });
    expect(read.body.result?.data).toEqual({ updated: 1 });
    expect((await notices(admin)).unread).toBe(unreadBefore);
    expect((await notices(admin, { unreadOnly: true })).items.map((n) => n.id)).not.toContain(notice!.id);

    // Audited as the system, with the delivery, and never the secret or its hash.
    const audit = await h.db.auditLog.findMany({ where: { targetId: key.id }, orderBy: { id: "asc" } });
    expect(audit.map((e) => [e.action, e.actorEmail])).toEqual([
      ["key.created", "admin@example.com"],
      ["key.rotated", "system"],
      ["key.rotation_webhook_delivered", "system"],
    ]);
    expect(audit[1]?.after).toMatchObject({ trigger: "schedule", graceMinutes: 15 });
    const text = JSON.stringify(audit.map((e) => [e.before, e.after]));
    for (const s of [oldSecret, body.newSecret]) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(hashApiKey(s));
    }

    // Not due any more: the next run leaves it alone.
    expect((await rotateDueKeys(deps)).filter((r) => r.keyId === key.id)).toEqual([]);
  });

  it("survives a failing webhook: the rotation stands, admins are told it failed, the audit records it", async () => {
    const { teamId } = await ownerIds();
    const { key } = await dueKey({ type: "team", id: teamId }, "/fail");
    const runs = (await rotateDueKeys(deps)).filter((r) => r.keyId === key.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.webhook).toMatchObject({ ok: false, status: 500, attempts: 3 });
    expect(received.filter((p) => p.body.keyId === key.id && p.path === "/fail")).toHaveLength(3);
    expect(await h.db.apiKeySecret.count({ where: { keyId: key.id } })).toBe(2);

    // A team key's notice goes to every admin; finance users do not see it.
    const notice = (await notices(admin)).items.find((n) => n.targetId === key.id);
    expect(notice).toMatchObject({ kind: "key.rotated", severity: "error" });
    expect(notice?.body).toMatch(/failed after 3 attempt\(s\): the webhook answered HTTP 500/);
    expect(notice?.body).toMatch(/rotate the key from the Keys page/);
    expect((await notices(finance)).items.map((n) => n.targetId)).not.toContain(key.id);
    const stored = await h.db.notification.findFirstOrThrow({ where: { targetId: key.id } });
    expect(stored.userId).toBeNull();

    const failed = await h.db.auditLog.findFirst({
      where: { targetId: key.id, action: "key.rotation_webhook_failed" },
    });
    expect(failed?.after).toMatchObject({ status: 500, attempts: 3 });
  });

  it("tolerates an unreachable webhook and keeps rotating the other due keys", async () => {
    const { adminId } = await ownerIds();
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const unreachable = await dueKey({ type: "user", id: adminId }, "/ok");
    await h.db.apiKey.update({
      where: { id: unreachable.key.id },
      data: { notifyWebhookUrl: `http://127.0.0.1:${deadPort}/hook` },
    });
    const healthy = await dueKey({ type: "user", id: adminId }, "/ok");

    const runs = await rotateDueKeys(deps);
    expect(runs.find((r) => r.keyId === unreachable.key.id)?.webhook).toMatchObject({ ok: false });
    expect(runs.find((r) => r.keyId === healthy.key.id)?.webhook).toMatchObject({ ok: true });
  });

  it("leaves alone keys that are not due, revoked or expired", async () => {
    const { adminId } = await ownerIds();
    const notDue = await dueKey({ type: "user", id: adminId }, "/ok");
    await h.db.apiKey.update({
      where: { id: notDue.key.id },
      data: { nextRotationAt: new Date(Date.now() + 3_600_000) },
    });
    const revoked = await dueKey({ type: "user", id: adminId }, "/ok");
    await admin.mutate("keys.revoke", { id: revoked.key.id });
    const expired = await dueKey({ type: "user", id: adminId }, "/ok");
    await h.db.apiKey.update({
      where: { id: expired.key.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });

    const rotatedIds = (await rotateDueKeys(deps)).map((r) => r.keyId);
    for (const k of [notDue, revoked, expired]) {
      expect(rotatedIds).not.toContain(k.key.id);
      expect(await h.db.apiKeySecret.count({ where: { keyId: k.key.id } })).toBe(1);
    }
  });

  it("runs on the scheduler, on its interval, until stopped; off with an interval of 0", async () => {
    const { adminId } = await ownerIds();
    const { key } = await dueKey({ type: "user", id: adminId }, "/ok");
    await h.db.jobState.deleteMany({ where: { name: "key-rotation" } });
    const scheduler = await startScheduler({
      db: h.db,
      databaseUrl: inject("databaseUrl"),
      jobs: [keyRotationJob({ ...deps, intervalSeconds: 1 })],
    });
    try {
      await expect.poll(() => received.some((p) => p.body.keyId === key.id), { timeout: 15_000 }).toBe(true);
      await expect
        .poll(() => h.db.jobState.findUnique({ where: { name: "key-rotation" } }), { timeout: 5000 })
        .toMatchObject({ lastOutcome: "success", lastError: null, enabled: true, intervalSeconds: 1 });
    } finally {
      await scheduler.stop();
    }
    const off = await dueKey({ type: "user", id: adminId }, "/ok");
    const disabled = await startScheduler({
      db: h.db,
      databaseUrl: inject("databaseUrl"),
      jobs: [keyRotationJob({ ...deps, intervalSeconds: 0 })],
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await disabled.stop();
    expect(received.some((p) => p.body.keyId === off.key.id)).toBe(false);
    expect(await h.db.jobState.findUnique({ where: { name: "key-rotation" } })).toMatchObject({
      enabled: false,
    });
  });
});
