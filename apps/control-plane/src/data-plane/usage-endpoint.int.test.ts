/**
 * Usage ingest against the real Postgres: auth, validation, idempotency, exact rollups, last use,
 * and what a forged event cannot do (an unknown key, a time far from now, absurd tokens or cost).
 */
import { randomUUID } from "node:crypto";
import {
  maxUsageCostMicros,
  maxUsageTokens,
  type UsageEvent,
  usageEventMaxAgeMs,
  usageEventMaxFutureMs,
} from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataPlaneToken, type Harness, startHarness } from "../../test/harness.ts";

let h: Harness;
let keyId: string;
/** A second key of the suite's, for rollups by key. */
let otherKeyId: string;
/** An hour that started three hours ago: recent enough for ingest, whole hours for the rollups. */
const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const inHour = (ms: number) => new Date(hourStart + ms).toISOString();
/** A key of this suite's own, so that its last use does not leak into other suites. */
async function createKey(): Promise<string> {
  const demo = await h.db.apiKey.findFirstOrThrow({ where: { name: "Demo key" }, select: { orgId: true } });
  const key = await h.db.apiKey.create({
    data: { orgId: demo.orgId, name: `usage ingest test ${randomUUID()}`, allowedModels: [] },
    select: { id: true },
  });
  return key.id;
}

beforeAll(async () => {
  h = await startHarness();
  keyId = await createKey();
  otherKeyId = await createKey();
});
afterAll(() => h.close());

function post(body: unknown, token: string | null = dataPlaneToken) {
  return fetch(`${h.url}/data-plane/v1/usage`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function event(model: string, overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: randomUUID(),
    at: inHour(15 * 60_000),
    keyId,
    userId: null,
    teamId: null,
    model,
    deploymentId: null,
    providerId: null,
    promptVersionId: null,
    variant: null,
    promptTokens: 100,
    completionTokens: 20,
    costMicros: 1_234_567,
    latencyMs: 40,
    ttftMs: null,
    status: 200,
    errorCode: null,
    stream: false,
    moderation: null,
    ...overrides,
  };
}

describe("POST /data-plane/v1/usage", () => {
  it("refuses a missing or wrong data-plane token", async () => {
    const batch = { events: [event("m")] };
    expect((await post(batch, null)).status).toBe(401);
    expect((await post(batch, "wrong-token")).status).toBe(401);
    expect((await post(batch, `${dataPlaneToken}x`)).status).toBe(401);
  });

  it("answers 400 naming what is wrong with a bad body", async () => {
    const notJson = await post("{not json");
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(
      /not valid JSON/,
    );

    const empty = await post({ events: [] });
    expect(empty.status).toBe(400);

    const notBatch = await post({ events: "nope" });
    expect(notBatch.status).toBe(400);
    expect(((await notBatch.json()) as { error: { message: string } }).error.message).toMatch(/events/);
  });

  it("stores the valid events of a batch and names each one it cannot store", async () => {
    const model = `usage-test-${randomUUID()}`;
    const good = [event(model), event(model)];
    const wrongTypes = event(model, { promptTokens: -1, keyId: "not-a-uuid" });
    const nul = event(`${model}\u0000`);
    const overflow = event(model, { completionTokens: 3_000_000_000 });
    // Valid to the schema, refused by Postgres (jsonb has no NUL): the batch is stored one by one.
    const refusedByPostgres = event(model, { moderation: { note: "a\u0000b" } });
    const batch = [good[0], wrongTypes, nul, refusedByPostgres, overflow, good[1]];

    const res = await post({ events: batch });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      accepted: number;
      duplicates: number;
      rejected: { index: number; requestId: string; message: string }[];
    };
    expect(answer.accepted).toBe(2);
    expect(answer.duplicates).toBe(0);
    expect(answer.rejected.map((r) => [r.index, r.requestId])).toEqual([
      [1, wrongTypes.requestId],
      [2, nul.requestId],
      [3, refusedByPostgres.requestId],
      [4, overflow.requestId],
    ]);
    expect(answer.rejected[0]!.message).toMatch(/events\.1\.keyId/);
    expect(answer.rejected[0]!.message).toMatch(/events\.1\.promptTokens/);
    expect(answer.rejected[1]!.message).toMatch(/events\.2\.model: must not contain NUL/);
    expect(answer.rejected[2]!.message).toMatch(/Postgres cannot store this event/);
    expect(answer.rejected[3]!.message).toMatch(/events\.4\.completionTokens/);
    const stored = await h.db.usageEvent.findMany({ where: { model }, select: { requestId: true } });
    expect(stored.map((e) => e.requestId).sort()).toEqual(good.map((e) => e.requestId).sort());

    // Delivered again: the stored ones are duplicates, the rest still refused, nothing else changes.
    const again = (await (await post({ events: batch })).json()) as typeof answer;
    expect(again).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(again.rejected).toHaveLength(4);
    expect(await h.db.usageEvent.count({ where: { model } })).toBe(2);
  });

  it("answers 413 for a body past the size cap", async () => {
    const res = await post(`{"events":["${"x".repeat(9 * 1024 * 1024)}"]}`);
    expect(res.status).toBe(413);
  });

  it("ingests a batch once, however often it is delivered, with exact hourly rollups", async () => {
    const model = `usage-test-${randomUUID()}`;
    const hour = new Date(hourStart);
    const big = 2 ** 32 + 123; // past 32 bits: money never goes through a float sum
    const events = [
      event(model, { costMicros: big }),
      event(model, { at: inHour(3_599_999), costMicros: 7, promptTokens: 3, completionTokens: 5 }),
      event(model, {
        status: 429,
        errorCode: "rate_limited",
        promptTokens: 0,
        completionTokens: 0,
        costMicros: 0,
      }),
      event(model, { at: inHour(3_600_000), latencyMs: 1000 }),
      event(model, { keyId: otherKeyId, at: inHour(30 * 60_000), status: 499, errorCode: "client_closed" }),
    ];

    const first = await post({ events: events.slice(0, 3) });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    // The same batch again (a lost answer, retried), then one overlapping the first.
    expect(await (await post({ events: events.slice(0, 3) })).json()).toEqual({
      accepted: 0,
      duplicates: 3,
      rejected: [],
    });
    expect(await (await post({ events: events.slice(1) })).json()).toEqual({
      accepted: 2,
      duplicates: 2,
      rejected: [],
    });
    // Concurrent deliveries of one batch still count once.
    const again = await Promise.all(
      Array.from({ length: 5 }, () =>
        post({ events }).then((r) => r.json() as Promise<{ accepted: number }>),
      ),
    );
    expect(again.reduce((sum, r) => sum + r.accepted, 0)).toBe(0);

    expect(await h.db.usageEvent.count({ where: { model } })).toBe(5);
    const rollups = await h.db.usageRollupHourly.findMany({
      where: { model },
      orderBy: [{ hour: "asc" }, { keyId: "asc" }],
    });
    expect(
      rollups.map((r) => ({
        hour: r.hour.toISOString(),
        keyId: r.keyId,
        requests: r.requests,
        errors: r.errors,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        costMicros: r.costMicros,
        latencyMsSum: r.latencyMsSum,
      })),
    ).toEqual(
      [
        {
          hour: hour.toISOString(),
          keyId: otherKeyId,
          requests: 1,
          errors: 1,
          promptTokens: 100n,
          completionTokens: 20n,
          costMicros: 1_234_567n,
          latencyMsSum: 40n,
        },
        {
          hour: hour.toISOString(),
          keyId,
          requests: 3,
          errors: 1,
          promptTokens: 103n,
          completionTokens: 25n,
          costMicros: BigInt(big) + 7n,
          latencyMsSum: 120n,
        },
        {
          hour: inHour(3_600_000),
          keyId,
          requests: 1,
          errors: 0,
          promptTokens: 100n,
          completionTokens: 20n,
          costMicros: 1_234_567n,
          latencyMsSum: 1000n,
        },
      ].sort((a, b) => a.hour.localeCompare(b.hour) || a.keyId.localeCompare(b.keyId)),
    );
    const stored = await h.db.usageEvent.findUniqueOrThrow({ where: { requestId: events[0]!.requestId } });
    expect(stored.costMicros).toBe(BigInt(big));
  });

  it("moves the key's last use forward, never back", async () => {
    const model = `usage-test-${randomUUID()}`;
    const ownKey = await createKey();
    const late = new Date(Date.now() - 60_000).toISOString();
    await post({ events: [event(model, { keyId: ownKey, at: late })] });
    await post({
      events: [event(model, { keyId: ownKey, at: new Date(Date.now() - 3_600_000).toISOString() })],
    });
    const key = await h.db.apiKey.findUniqueOrThrow({ where: { id: ownKey }, select: { lastUsedAt: true } });
    expect(key.lastUsedAt?.toISOString()).toBe(late);
  });
});

describe("what a usage event may claim", () => {
  type Answer = { accepted: number; duplicates: number; rejected: { index: number; message: string }[] };

  it("refuses an event for a key that does not exist, and stores nothing of it", async () => {
    const model = `usage-test-${randomUUID()}`;
    const forged = randomUUID();
    const batch = [
      event(model),
      event(model, { keyId: forged }),
      event(model, { keyId: keyId.toUpperCase() }),
    ];
    const answer = (await (await post({ events: batch })).json()) as Answer;
    expect(answer).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(answer.rejected).toEqual([
      {
        index: 1,
        requestId: batch[1]!.requestId,
        message: `Not a valid usage event: keyId ${forged} is not an API key of this control plane.`,
      },
    ]);
    expect(await h.db.usageEvent.count({ where: { model, keyId: forged } })).toBe(0);
    expect(await h.db.usageRollupHourly.count({ where: { model, keyId: forged } })).toBe(0);
  });

  it("refuses a time from the future or from before the spool's window, and takes one within it", async () => {
    const model = `usage-test-${randomUUID()}`;
    const ownKey = await createKey();
    const now = Date.now();
    const at = (ms: number) => new Date(ms).toISOString();
    const batch = [
      event(model, { keyId: ownKey, at: "2999-01-01T00:00:00.000Z" }),
      event(model, { keyId: ownKey, at: "1999-01-01T00:00:00.000Z" }),
      event(model, { keyId: ownKey, at: at(now + usageEventMaxFutureMs + 60_000) }),
      event(model, { keyId: ownKey, at: at(now - usageEventMaxAgeMs - 60_000) }),
      // A proxy whose clock runs a little fast, and a spool replayed after a 29-day outage.
      event(model, { keyId: ownKey, at: at(now + usageEventMaxFutureMs - 60_000) }),
      event(model, { keyId: ownKey, at: at(now - usageEventMaxAgeMs + 86_400_000) }),
    ];
    const answer = (await (await post({ events: batch })).json()) as Answer;
    expect(answer.accepted).toBe(2);
    expect(answer.rejected.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(answer.rejected[0]!.message).toMatch(
      /events\.0\.at: 2999-01-01T00:00:00\.000Z is more than 5 minutes ahead/,
    );
    expect(answer.rejected[1]!.message).toMatch(
      /events\.1\.at: 1999-01-01T00:00:00\.000Z is more than 30 days old/,
    );
    expect(answer.rejected[2]!.message).toMatch(/events\.2\.at: .* ahead of the control plane's clock/);
    expect(answer.rejected[3]!.message).toMatch(/events\.3\.at: .* days old/);
    // The event from 2999 did not move the key's last use there.
    const key = await h.db.apiKey.findUniqueOrThrow({ where: { id: ownKey }, select: { lastUsedAt: true } });
    expect(key.lastUsedAt?.toISOString()).toBe(batch[4]!.at);
  });

  it("refuses token counts and costs past what one request can have, and takes the largest allowed", async () => {
    const model = `usage-test-${randomUUID()}`;
    const batch = [
      event(model, { promptTokens: maxUsageTokens + 1 }),
      event(model, { completionTokens: maxUsageTokens + 1 }),
      event(model, { costMicros: maxUsageCostMicros + 1 }),
      event(model, { costMicros: Number.MAX_SAFE_INTEGER }),
      event(model, {
        promptTokens: maxUsageTokens,
        completionTokens: maxUsageTokens,
        costMicros: maxUsageCostMicros,
      }),
    ];
    const answer = (await (await post({ events: batch })).json()) as Answer;
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((r) => [r.index, r.message])).toEqual([
      [0, expect.stringMatching(/events\.0\.promptTokens: must be at most 10000000 tokens/)],
      [1, expect.stringMatching(/events\.1\.completionTokens: must be at most 10000000 tokens/)],
      [2, expect.stringMatching(/events\.2\.costMicros: must be at most 100000000000 micro-dollars/)],
      [3, expect.stringMatching(/events\.3\.costMicros: must be at most/)],
    ]);
    const stored = await h.db.usageEvent.findMany({ where: { model }, select: { costMicros: true } });
    expect(stored).toEqual([{ costMicros: BigInt(maxUsageCostMicros) }]);
  });
});
