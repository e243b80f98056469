/**
 * API keys through the dashboard's API, checked against what a proxy receives: the secret is shown
 * once and never stored or listed, field errors for bad input, optimistic concurrency on edits,
 * rotation with and without grace, revocation, and audit entries free of secrets and hashes.
 */
import { GatewayConfig, type KeyFormOptions, type KeyView, type KeyWithSecret } from "@switchyard/core";
import { hashApiKey } from "@switchyard/core/keys/secret";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  dataPlaneToken,
  fieldErrors,
  type Harness,
  startHarness,
  type TrpcResult,
} from "../../../test/harness.ts";

let h: Harness;
let admin: Client;
let options: KeyFormOptions;
/** Every secret this file sees: none may ever appear in a list, an audit entry or a snapshot as text. */
const issued: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  admin = await new Client(h.url).login("admin");
  options = (await admin.query("keys.formOptions")).body.result?.data as KeyFormOptions;
});
afterAll(() => h.close());

const userOwner = () => ({ type: "user" as const, id: options.users[0]!.id });
const teamOwner = () => ({ type: "team" as const, id: options.teams[0]!.id });

async function snapshot(): Promise<GatewayConfig> {
  const r = await fetch(`${h.url}/data-plane/v1/config?after=0`, {
    headers: { authorization: `Bearer ${dataPlaneToken}` },
  });
  expect(r.status).toBe(200);
  return GatewayConfig.parse(await r.json());
}

async function createKey(extra: Record<string, unknown> = {}): Promise<KeyWithSecret> {
  const r = await admin.mutate("keys.create", {
    name: `key ${Math.random().toString(36).slice(2, 8)}`,
    owner: userOwner(),
    allowedModels: [],
    tags: [],
    metadata: {},
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const created = data<KeyWithSecret>(r);
  issued.push(created.secret);
  return created;
}

/** The result of a successful call (fails the test when there is none). */
function data<T>(r: TrpcResult): T {
  if (!r.body.result) throw new Error(`call failed: ${JSON.stringify(r.body)}`);
  return r.body.result.data as T;
}

async function list(input: Record<string, unknown> = {}): Promise<KeyView[]> {
  const r = await admin.query("keys.list", input);
  expect(r.status).toBe(200);
  return data<{ items: KeyView[] }>(r).items;
}

describe("keys.formOptions", () => {
  it("offers the organisation's users and teams and the gateway's models", () => {
    expect(options.users.map((u) => u.email)).toContain("admin@example.com");
    expect(options.teams.map((t) => t.name)).toContain("Platform");
    expect(options.models).toEqual(expect.arrayContaining(["mock-gpt", "mock-embed"]));
  });
});

describe("keys.create", () => {
  it("returns the secret once; the list shows its prefix and owner, never the secret or hash", async () => {
    const { key, secret } = await createKey({
      name: "Billing service",
      allowedModels: ["mock-gpt", "mock-gpt"],
      rpm: 60,
      tpm: 10_000,
      tags: ["billing", "prod", "billing"],
      metadata: { costCenter: "cc-42" },
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    expect(secret).toMatch(/^sk-sy-[0-9A-Za-z]{40}$/);
    expect(key).toMatchObject({
      name: "Billing service",
      owner: { type: "user", id: options.users[0]!.id, name: options.users[0]!.name },
      allowedModels: ["mock-gpt"],
      rpm: 60,
      tpm: 10_000,
      tags: ["billing", "prod"],
      metadata: { costCenter: "cc-42" },
      revokedAt: null,
      lastUsedAt: null,
      rotation: { days: null, graceMinutes: 60, nextAt: null, notifyWebhookUrl: null },
      version: 1,
    });
    expect(key.secrets).toEqual([
      { prefix: secret.slice(0, 12), createdAt: key.createdAt, validUntil: null },
    ]);

    const listed = await list({ search: "billing" });
    expect(listed.map((k) => k.id)).toContain(key.id);
    const text = JSON.stringify(await list());
    expect(text).not.toContain(secret);
    expect(text).not.toContain(hashApiKey(secret));
    const stored = await h.db.apiKeySecret.findMany({ where: { keyId: key.id } });
    expect(stored.map((s) => s.hash)).toEqual([hashApiKey(secret)]);
    expect(JSON.stringify(stored)).not.toContain(secret);

    // Proxies receive the hash, with the key's limits.
    const inSnapshot = (await snapshot()).keys.find((k) => k.id === key.id);
    expect(inSnapshot).toMatchObject({
      hashes: [{ hash: hashApiKey(secret), validUntil: null }],
      allowedModels: ["mock-gpt"],
      rpm: 60,
      tpm: 10_000,
      userId: options.users[0]!.id,
    });
  });

  it("creates a team-owned key and finds it by the owner's name", async () => {
    const { key } = await createKey({ owner: teamOwner() });
    expect(key.owner).toEqual({ type: "team", id: teamOwner().id, name: options.teams[0]!.name });
    expect((await list({ search: options.teams[0]!.name })).map((k) => k.id)).toContain(key.id);
  });

  it("answers bad input with field errors the form can show", async () => {
    const r = await admin.mutate("keys.create", {
      name: " ",
      owner: null,
      allowedModels: [],
      rpm: 0,
      tpm: 1.5,
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
      tags: ["x".repeat(41)],
      metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"])),
      rotationDays: 400,
      rotationGraceMinutes: -1,
      notifyWebhookUrl: "ftp://example.com/hook",
    });
    expect(r.status).toBe(400);
    expect(Object.keys(fieldErrors(r)).sort()).toEqual(
      [
        "expiresAt",
        "metadata",
        "name",
        "notifyWebhookUrl",
        "owner",
        "rotationDays",
        "rotationGraceMinutes",
        "rpm",
        "tags",
        "tpm",
      ].sort(),
    );
    expect(fieldErrors(r).expiresAt).toEqual(["Choose a time in the future"]);
    expect(fieldErrors(r).tags?.[0]).toMatch(/40 characters/);
  });

  it("refuses a rotation policy without a webhook to deliver the new secret to", async () => {
    const r = await admin.mutate("keys.create", {
      name: "scheduled",
      owner: userOwner(),
      allowedModels: [],
      tags: [],
      metadata: {},
      rotationDays: 30,
    });
    expect(r.status).toBe(400);
    expect(fieldErrors(r).notifyWebhookUrl?.[0]).toMatch(/webhook/);
  });

  it("refuses unknown models and owners with field errors, and stores nothing", async () => {
    const before = await h.db.apiKey.count();
    const badModel = await admin.mutate("keys.create", {
      name: "bad model",
      owner: userOwner(),
      allowedModels: ["mock-gpt", "no-such-model"],
      tags: [],
      metadata: {},
    });
    expect(badModel.status).toBe(400);
    expect(badModel.body.error?.data.appCode).toBe("invalid_request");
    expect(fieldErrors(badModel).allowedModels?.[0]).toContain("no-such-model");

    const badOwner = await admin.mutate("keys.create", {
      name: "bad owner",
      owner: { type: "team", id: "00000000-0000-4000-8000-000000000000" },
      allowedModels: [],
      tags: [],
      metadata: {},
    });
    expect(badOwner.status).toBe(400);
    expect(fieldErrors(badOwner).owner).toEqual(["Unknown team"]);
    expect(await h.db.apiKey.count()).toBe(before);
  });

  it("starts a rotation policy's clock when the key is created", async () => {
    const { key } = await createKey({
      rotationDays: 30,
      rotationGraceMinutes: 15,
      notifyWebhookUrl: "https://hooks.example.com/rotated",
    });
    expect(key.rotation.days).toBe(30);
    expect(key.rotation.graceMinutes).toBe(15);
    const next = Date.parse(key.rotation.nextAt ?? "");
    expect(Math.abs(next - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
  });
});

describe("idempotent create", () => {
  it("of three concurrent creates with one idempotency key, exactly one makes a key", async () => {
    const idempotencyKey = crypto.randomUUID();
    const name = `once ${idempotencyKey.slice(0, 8)}`;
    const input = { name, owner: userOwner(), allowedModels: [], tags: [], metadata: {}, idempotencyKey };
    const answers = await Promise.all([1, 2, 3].map(() => admin.mutate("keys.create", input)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    for (const lost of answers.filter((r) => r.status === 409)) {
      expect(lost.body.error?.data.appCode).toBe("conflict");
      expect(lost.body.error?.message).toMatch(/^Already created/);
    }
    const won = data<KeyWithSecret>(answers.find((r) => r.status === 200)!);
    issued.push(won.secret);
    expect(await h.db.apiKey.count({ where: { name } })).toBe(1);
    // A later repeat (a retry after a lost answer) makes nothing either.
    const again = await admin.mutate("keys.create", input);
    expect(again.status).toBe(409);
    expect(await h.db.apiKey.count({ where: { name } })).toBe(1);
  });

  it("lets another submission (another key) create, and refuses a key that is no UUID", async () => {
    const base = { owner: userOwner(), allowedModels: [], tags: [], metadata: {} };
    const first = await admin.mutate("keys.create", {
      ...base,
      name: `first ${Math.random()}`,
      idempotencyKey: crypto.randomUUID(),
    });
    const second = await admin.mutate("keys.create", {
      ...base,
      name: `second ${Math.random()}`,
      idempotencyKey: crypto.randomUUID(),
    });
    expect([first.status, second.status]).toEqual([200, 200]);
    issued.push(data<KeyWithSecret>(first).secret, data<KeyWithSecret>(second).secret);
    const bad = await admin.mutate("keys.create", { ...base, name: "not uuid", idempotencyKey: "abc" });
    expect(bad.status).toBe(400);
    expect(fieldErrors(bad).idempotencyKey).toBeDefined();
  });
});

describe("key names", () => {
  it("refuses a name another live key has, on create and on rename, with a field error", async () => {
    const taken = `taken ${Math.random().toString(36).slice(2, 8)}`;
    const { key } = await createKey({ name: taken });
    const dup = await admin.mutate("keys.create", {
      name: taken.toUpperCase(),
      owner: userOwner(),
      allowedModels: [],
      tags: [],
      metadata: {},
    });
    expect(dup.status).toBe(409);
    expect(fieldErrors(dup).name?.[0]).toMatch(/already exists/);
    expect(await h.db.apiKey.count({ where: { name: { equals: taken, mode: "insensitive" } } })).toBe(1);

    const { key: other } = await createKey();
    const rename = await admin.mutate("keys.update", { id: other.id, version: 1, name: taken });
    expect(rename.status).toBe(409);
    expect(fieldErrors(rename).name?.[0]).toMatch(/already exists/);
    // Saving the key under its own name is no clash.
    const same = await admin.mutate("keys.update", { id: key.id, version: 1, name: taken, rpm: 5 });
    expect(same.status).toBe(200);

    // A revoked key gives its name up.
    await admin.mutate("keys.revoke", { id: key.id });
    const reused = await createKey({ name: taken });
    expect(reused.key.name).toBe(taken);
  });
});

describe("keys.update", () => {
  it("of two concurrent saves of the same version, exactly one wins; the other gets 409", async () => {
    const { key } = await createKey();
    const [a, b] = await Promise.all([
      admin.mutate("keys.update", { id: key.id, version: key.version, name: "renamed by A", rpm: 10 }),
      admin.mutate("keys.update", { id: key.id, version: key.version, name: "renamed by B", rpm: 20 }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    expect(lost.body.error?.message).toBe(
      "This key was changed by someone else since you opened it. Reload to see the changes, then save again.",
    );
    expect(lost.body.error?.data.code).toBe("CONFLICT");
    const winner = won.body.result?.data as KeyView;
    expect(winner.version).toBe(2);
    const now = (await list()).find((k) => k.id === key.id);
    expect(now).toMatchObject({ name: winner.name, rpm: winner.rpm, version: 2 });

    // Saving again with the version just read works.
    const again = await admin.mutate("keys.update", { id: key.id, version: 2, tpm: 500 });
    expect(again.status).toBe(200);
    expect(again.body.result?.data).toMatchObject({ name: winner.name, tpm: 500, version: 3 });
    expect((await snapshot()).keys.find((k) => k.id === key.id)).toMatchObject({ rpm: winner.rpm, tpm: 500 });
  });

  it("validates models and the rotation webhook, and sets or clears the rotation schedule", async () => {
    const { key } = await createKey();
    const unknown = await admin.mutate("keys.update", { id: key.id, version: 1, allowedModels: ["nope"] });
    expect(unknown.status).toBe(400);
    expect(fieldErrors(unknown).allowedModels?.[0]).toContain("nope");
    const noHook = await admin.mutate("keys.update", { id: key.id, version: 1, rotationDays: 7 });
    expect(fieldErrors(noHook).notifyWebhookUrl?.[0]).toMatch(/webhook/);

    const scheduled = await admin.mutate("keys.update", {
      id: key.id,
      version: 1,
      rotationDays: 7,
      notifyWebhookUrl: "https://hooks.example.com/x",
    });
    expect(scheduled.status).toBe(200);
    const view = scheduled.body.result?.data as KeyView;
    expect(Math.abs(Date.parse(view.rotation.nextAt ?? "") - (Date.now() + 7 * 86_400_000))).toBeLessThan(
      60_000,
    );
    const cleared = await admin.mutate("keys.update", { id: key.id, version: 2, rotationDays: null });
    expect(cleared.body.result?.data).toMatchObject({ rotation: { days: null, nextAt: null } });
  });
});

describe("keys.rotate", () => {
  it("keeps the key id; both secrets work during the grace, then grace 0 leaves only the newest", async () => {
    const { key, secret: first } = await createKey();
    const r = await admin.mutate("keys.rotate", { id: key.id, graceMinutes: 30 });
    expect(r.status).toBe(200);
    const { key: rotated, secret: second } = data<KeyWithSecret>(r);
    issued.push(second);
    expect(rotated.id).toBe(key.id);
    expect(second).not.toBe(first);
    expect(rotated.secrets.map((s) => s.prefix)).toEqual([second.slice(0, 12), first.slice(0, 12)]);
    const oldUntil = rotated.secrets[1]!.validUntil;
    expect(Math.abs(Date.parse(oldUntil ?? "") - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
    expect(rotated.secrets[0]!.validUntil).toBeNull();

    let entry = (await snapshot()).keys.find((k) => k.id === key.id);
    expect(entry?.hashes).toEqual(
      expect.arrayContaining([
        { hash: hashApiKey(first), validUntil: oldUntil },
        { hash: hashApiKey(second), validUntil: null },
      ]),
    );
    expect(entry?.hashes).toHaveLength(2);

    const now = await admin.mutate("keys.rotate", { id: key.id, graceMinutes: 0 });
    expect(now.status).toBe(200);
    const { key: after, secret: third } = data<KeyWithSecret>(now);
    issued.push(third);
    expect(after.secrets.map((s) => s.prefix)).toEqual([third.slice(0, 12)]);
    entry = (await snapshot()).keys.find((k) => k.id === key.id);
    expect(entry?.hashes).toEqual([{ hash: hashApiKey(third), validUntil: null }]);
  });

  it("refuses an out-of-range grace with a field error", async () => {
    const { key } = await createKey();
    const r = await admin.mutate("keys.rotate", { id: key.id, graceMinutes: 10_081 });
    expect(r.status).toBe(400);
    expect(fieldErrors(r).graceMinutes).toBeDefined();
  });
});

describe("keys.revoke", () => {
  it("appears in the next snapshot, is idempotent, and ends rotation and edits", async () => {
    const { key, secret } = await createKey();
    const r = await admin.mutate("keys.revoke", { id: key.id });
    expect(r.status).toBe(200);
    const revoked = r.body.result?.data as KeyView;
    expect(revoked.revokedAt).not.toBeNull();
    const entry = (await snapshot()).keys.find((k) => k.id === key.id);
    expect(entry).toMatchObject({ revokedAt: revoked.revokedAt, hashes: [{ hash: hashApiKey(secret) }] });

    const again = await admin.mutate("keys.revoke", { id: key.id });
    expect(again.status).toBe(200);
    expect(data<KeyView>(again).revokedAt).toBe(revoked.revokedAt);

    const rotate = await admin.mutate("keys.rotate", { id: key.id, graceMinutes: 0 });
    expect(rotate.status).toBe(409);
    expect(rotate.body.error?.message).toMatch(/revoked/);
    const edit = await admin.mutate("keys.update", { id: key.id, version: revoked.version, name: "x" });
    expect(edit.status).toBe(409);

    expect((await list()).map((k) => k.id)).not.toContain(key.id);
    expect((await list({ includeRevoked: true })).map((k) => k.id)).toContain(key.id);
  });

  it("answers 404 for a key that does not exist", async () => {
    const r = await admin.mutate("keys.revoke", { id: "00000000-0000-4000-8000-000000000000" });
    expect(r.status).toBe(404);
  });
});

describe("audit", () => {
  it("records every key change with before/after, and never a secret or a hash", async () => {
    const { key, secret } = await createKey({ name: "audited" });
    await admin.mutate("keys.update", { id: key.id, version: 1, name: "audited 2" });
    const rotated = data<KeyWithSecret>(await admin.mutate("keys.rotate", { id: key.id, graceMinutes: 5 }));
    issued.push(rotated.secret);
    await admin.mutate("keys.revoke", { id: key.id });

    const entries = await h.db.auditLog.findMany({ where: { targetId: key.id }, orderBy: { id: "asc" } });
    expect(entries.map((e) => e.action)).toEqual([
      "key.created",
      "key.updated",
      "key.rotated",
      "key.revoked",
    ]);
    expect(entries.every((e) => e.actorEmail === "admin@example.com" && e.targetType === "api_key")).toBe(
      true,
    );
    expect(entries[1]).toMatchObject({ before: { name: "audited" }, after: { name: "audited 2" } });
    // Each entry names the key as it was called at the time.
    expect(entries.map((e) => e.targetName)).toEqual(["audited", "audited 2", "audited 2", "audited 2"]);
    expect(entries[2]?.after).toMatchObject({ trigger: "manual", graceMinutes: 5 });
    expect(JSON.stringify(entries[2]?.after)).toContain(secret.slice(0, 12));

    const all = JSON.stringify(
      await h.db.auditLog.findMany({ select: { before: true, after: true, action: true, targetId: true } }),
    );
    expect(issued.length).toBeGreaterThan(8);
    for (const s of issued) {
      expect(all).not.toContain(s);
      expect(all).not.toContain(hashApiKey(s));
    }
  });
});
