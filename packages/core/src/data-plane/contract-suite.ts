/**
 * The data-plane contract as one vitest suite, for every implementation of it: the control
 * plane's real endpoints (apps/control-plane/src/data-plane/contract.int.test.ts, on Postgres) and
 * the proxy's stand-in (packages/proxy/src/testing/fake-control-plane.int.test.ts). What the proxy's
 * tests are told by the stand-in is then what a real control plane answers.
 *
 * Test support only: it imports vitest, so it is a subpath of its own
 * (`@switchyard/core/data-plane/contract-suite`), never part of the package's index.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayConfig } from "../config/snapshot.ts";
import {
  maxUsageBatch,
  maxUsageCostMicros,
  maxUsageTokens,
  UsageBatchAnswer,
  type UsageEvent,
  usageEventMaxAgeMs,
  usageEventMaxFutureMs,
} from "../usage/event.ts";
import {
  configVersionHeader,
  DataPlaneAlertAnswer,
  DataPlaneErrorBody,
  dataPlanePaths,
  dataPlaneStatus,
  usageBodyLimitBytes,
} from "./contract.ts";

/** A running implementation of the data-plane API, and what the suite needs to know about it. */
export type DataPlaneContractTarget = {
  /** The control plane's base URL (no trailing slash). */
  url: string;
  token: string;
  /** A key it has: usage events for it are taken. */
  keyId: string;
  /** A provider it has, and one of its credentials: alerts about it are taken. */
  providerId: string;
  credentialId: string;
  /** The longest it holds a config poll (its own cap on `wait`), in seconds. */
  holdSeconds: number;
  /** Publishes a new snapshot (the next version, same lineage); resolves with its version. */
  publish(): Promise<number>;
  close(): Promise<void>;
};

type Head = { version: number; lineage: string | undefined };

/** Registers the contract's tests for the implementation `start` brings up. */
export function describeDataPlaneContract(name: string, start: () => Promise<DataPlaneContractTarget>): void {
  describe(`data-plane contract: ${name}`, () => {
    let t: DataPlaneContractTarget;
    beforeAll(async () => {
      t = await start();
    });
    afterAll(async () => {
      await t?.close();
    });

    const auth = (token: string | null = t.token): Record<string, string> =>
      token === null ? {} : { authorization: `Bearer ${token}` };

    async function poll(query: Record<string, string | number>, token?: string | null) {
      const search = new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
      );
      const started = performance.now();
      const res = await fetch(`${t.url}${dataPlanePaths.config}?${search}`, { headers: auth(token) });
      const text = await res.text();
      return { res, text, ms: performance.now() - started };
    }

    /** The head snapshot, as a poll from scratch gets it. */
    async function head(): Promise<Head> {
      const { res, text } = await poll({ after: 0 });
      expect(res.status).toBe(dataPlaneStatus.config.snapshot);
      const body = JSON.parse(text) as { version: number; lineage?: string };
      return { version: body.version, lineage: body.lineage };
    }

    /** A poll that is up to date with `h`: names its version, and its lineage when it has one. */
    const upToDate = (h: Head, extra: Record<string, string | number> = {}) => ({
      after: h.version,
      ...(h.lineage === undefined ? {} : { lineage: h.lineage }),
      ...extra,
    });

    function post(endpoint: "usage" | "alerts", body: unknown, token?: string | null) {
      return fetch(`${t.url}${dataPlanePaths[endpoint]}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth(token) },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    }

    async function expectError(res: Response, status: number, code: string, message?: RegExp) {
      expect(res.status).toBe(status);
      const body = DataPlaneErrorBody.parse(await res.json());
      expect(body.error.code).toBe(code);
      if (message) expect(body.error.message).toMatch(message);
    }

    function event(overrides: Partial<UsageEvent> = {}): UsageEvent {
      return {
        requestId: `contract-${randomUUID()}`,
        at: new Date().toISOString(),
        keyId: t.keyId,
        userId: null,
        teamId: null,
        model: "contract-model",
        deploymentId: null,
        providerId: null,
        promptVersionId: null,
        variant: null,
        promptTokens: 10,
        completionTokens: 5,
        costMicros: 15,
        latencyMs: 20,
        ttftMs: null,
        status: 200,
        errorCode: null,
        stream: false,
        moderation: null,
        ...overrides,
      };
    }

    const alert = () => ({
      kind: "credential_fallback",
      providerId: t.providerId,
      credentialId: t.credentialId,
      message: "the new credential got 401; serving with the previous one",
    });

    describe("auth", () => {
      it("answers 401 in the error shape without the data-plane token, on every endpoint", async () => {
        for (const token of [null, "wrong-token", `${t.token}x`]) {
          const config = await fetch(`${t.url}${dataPlanePaths.config}?after=0`, { headers: auth(token) });
          await expectError(config, dataPlaneStatus.config.unauthenticated, "unauthenticated", /Bearer/);
          const usage = await post("usage", { events: [event()] }, token);
          await expectError(usage, dataPlaneStatus.usage.unauthenticated, "unauthenticated", /Bearer/);
          const alerts = await post("alerts", alert(), token);
          await expectError(alerts, dataPlaneStatus.alerts.unauthenticated, "unauthenticated", /Bearer/);
        }
      });

      it("stores nothing that came without the token", async () => {
        const batch = { events: [event()] };
        expect((await post("usage", batch, "wrong-token")).status).toBe(401);
        const answer = UsageBatchAnswer.parse(await (await post("usage", batch)).json());
        expect(answer).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      });
    });

    describe("config", () => {
      it("answers 200 at once with the head snapshot, its version in a header, from scratch", async () => {
        const queries: Record<string, number>[] = [{ after: 0 }, {}];
        for (const query of queries) {
          const { res, text, ms } = await poll(query);
          expect(res.status).toBe(dataPlaneStatus.config.snapshot);
          expect(res.headers.get("content-type")).toMatch(/^application\/json/);
          const config = GatewayConfig.parse(JSON.parse(text));
          expect(config.version).toBeGreaterThanOrEqual(1);
          expect(res.headers.get(configVersionHeader)).toBe(String(config.version));
          expect(ms).toBeLessThan(t.holdSeconds * 1000);
        }
      });

      it("answers 200 at once when the head is newer than after", async () => {
        const before = await head();
        const published = await t.publish();
        expect(published).toBe(before.version + 1);
        const { res, text } = await poll(upToDate(before));
        expect(res.status).toBe(dataPlaneStatus.config.snapshot);
        expect((JSON.parse(text) as { version: number }).version).toBe(published);
      });

      it("holds a poll that is up to date for `wait` seconds, then answers 304 without a body", async () => {
        const h = await head();
        const { res, text, ms } = await poll(upToDate(h, { wait: 1 }));
        expect(res.status).toBe(dataPlaneStatus.config.unchanged);
        expect(text).toBe("");
        expect(ms).toBeGreaterThanOrEqual(900);
        expect(ms).toBeLessThan(t.holdSeconds * 1000 + 500);
      });

      it("answers 304 at once for wait=0, and holds no longer than its own hold for a longer wait", async () => {
        const h = await head();
        const now = await poll(upToDate(h, { wait: 0 }));
        expect(now.res.status).toBe(dataPlaneStatus.config.unchanged);
        expect(now.ms).toBeLessThan(500);
        const capped = await poll(upToDate(h, { wait: 3600 }));
        expect(capped.res.status).toBe(dataPlaneStatus.config.unchanged);
        expect(capped.ms).toBeLessThan(t.holdSeconds * 1000 + 1000);
      });

      it("answers a held poll with the new snapshot as soon as it is published", async () => {
        const h = await head();
        const held = poll(upToDate(h, { wait: 30 }));
        await new Promise((resolve) => setTimeout(resolve, 200));
        const published = await t.publish();
        const { res, text, ms } = await held;
        expect(res.status).toBe(dataPlaneStatus.config.snapshot);
        expect((JSON.parse(text) as { version: number }).version).toBe(published);
        expect(res.headers.get(configVersionHeader)).toBe(String(published));
        expect(ms).toBeLessThan(t.holdSeconds * 1000);
      });

      it("answers 400 in the error shape, naming the parameter, for a malformed after, wait or lineage", async () => {
        for (const after of ["-1", "abc", "1.5", "", "1e3", "0x10"]) {
          const { res, text } = await poll({ after });
          expect(res.status, `after=${after}`).toBe(dataPlaneStatus.config.invalid);
          const body = DataPlaneErrorBody.parse(JSON.parse(text));
          expect(body.error.code).toBe("invalid_request");
          expect(body.error.message).toMatch(/^after: must be a non-negative integer version$/);
        }
        for (const wait of ["-1", "abc", ""]) {
          const { res, text } = await poll({ after: 0, wait });
          expect(res.status, `wait=${wait}`).toBe(dataPlaneStatus.config.invalid);
          expect(DataPlaneErrorBody.parse(JSON.parse(text)).error.message).toMatch(
            /^wait: must be a number of seconds >= 0$/,
          );
        }
        const lineage = await poll({ after: 0, lineage: "db-1" });
        expect(lineage.res.status).toBe(dataPlaneStatus.config.invalid);
        expect(DataPlaneErrorBody.parse(JSON.parse(lineage.text)).error.message).toMatch(/^lineage: must be/);
      });

      describe("lineage", () => {
        it("names the lineage of every snapshot it serves", async () => {
          const h = await head();
          expect(h.lineage).toMatch(/^[0-9a-f-]{36}$/);
        });

        it("answers 200 at once with the head when the poll names another lineage (a recreated database)", async () => {
          const h = await head();
          const { res, text } = await poll({ after: h.version, lineage: randomUUID(), wait: 30 });
          expect(res.status).toBe(dataPlaneStatus.config.snapshot);
          expect(JSON.parse(text)).toMatchObject({ version: h.version, lineage: h.lineage });
        });

        it("answers 200 at once with the head when after is past it (a restored database)", async () => {
          const h = await head();
          const { res, text } = await poll(upToDate(h, { after: h.version + 1000, wait: 30 }));
          expect(res.status).toBe(dataPlaneStatus.config.snapshot);
          expect(res.headers.get(configVersionHeader)).toBe(String(h.version));
          expect((JSON.parse(text) as { version: number }).version).toBe(h.version);
        });

        it("holds a poll without a lineage by its version alone", async () => {
          const h = await head();
          const { res } = await poll({ after: h.version, wait: 1 });
          expect(res.status).toBe(dataPlaneStatus.config.unchanged);
        });
      });
    });

    describe("usage", () => {
      it("stores a batch once: delivered again, its events are duplicates", async () => {
        const batch = { events: [event(), event()] };
        const first = await post("usage", batch);
        expect(first.status).toBe(dataPlaneStatus.usage.ingested);
        expect(UsageBatchAnswer.parse(await first.json())).toEqual({
          accepted: 2,
          duplicates: 0,
          rejected: [],
        });
        const again = UsageBatchAnswer.parse(await (await post("usage", batch)).json());
        expect(again).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
        const overlapping = UsageBatchAnswer.parse(
          await (await post("usage", { events: [batch.events[1], event()] })).json(),
        );
        expect(overlapping).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
      });

      it("stores the valid events of a batch and names each one it refuses, with what is wrong", async () => {
        const now = Date.now();
        const at = (ms: number) => new Date(ms).toISOString();
        const forgedKey = randomUUID();
        const batch = [
          event(),
          event({ promptTokens: -1 }),
          "not an event",
          event({ keyId: forgedKey }),
          event({ at: at(now + usageEventMaxFutureMs + 60_000) }),
          event({ at: at(now - usageEventMaxAgeMs - 60_000) }),
          event({ completionTokens: maxUsageTokens + 1 }),
          event({ costMicros: maxUsageCostMicros + 1 }),
          // A spool replayed after a long outage, and a proxy whose clock runs a little fast.
          event({ at: at(now - usageEventMaxAgeMs + 3_600_000) }),
          event({ at: at(now + usageEventMaxFutureMs - 60_000) }),
        ];
        const res = await post("usage", { events: batch });
        expect(res.status).toBe(dataPlaneStatus.usage.ingested);
        const answer = UsageBatchAnswer.parse(await res.json());
        expect(answer.accepted).toBe(3);
        expect(answer.duplicates).toBe(0);
        const requestId = (i: number) => (batch[i] as UsageEvent).requestId;
        expect(answer.rejected.map((r) => [r.index, r.requestId])).toEqual([
          [1, requestId(1)],
          [2, null],
          [3, requestId(3)],
          [4, requestId(4)],
          [5, requestId(5)],
          [6, requestId(6)],
          [7, requestId(7)],
        ]);
        const messages = answer.rejected.map((r) => r.message);
        expect(messages[0]).toMatch(/events\.1\.promptTokens/);
        expect(messages[1]).toMatch(/Not a valid usage event/);
        expect(messages[2]).toBe(
          `Not a valid usage event: keyId ${forgedKey} is not an API key of this control plane.`,
        );
        expect(messages[3]).toMatch(
          /events\.4\.at: .* more than 5 minutes ahead of the control plane's clock/,
        );
        expect(messages[4]).toMatch(/events\.5\.at: .* more than 30 days old/);
        expect(messages[5]).toMatch(/events\.6\.completionTokens: must be at most 10000000 tokens/);
        expect(messages[6]).toMatch(/events\.7\.costMicros: must be at most 100000000000 micro-dollars/);

        // Delivered again: the stored ones are duplicates, the others still refused.
        const again = UsageBatchAnswer.parse(await (await post("usage", { events: batch })).json());
        expect(again).toMatchObject({ accepted: 0, duplicates: 3 });
        expect(again.rejected).toHaveLength(7);
      });

      it("answers 400 in the error shape for a body that is not a batch", async () => {
        await expectError(await post("usage", "{not json"), 400, "invalid_request", /not valid JSON/);
        await expectError(await post("usage", { events: [] }), 400, "invalid_request", /events/);
        await expectError(await post("usage", { events: "nope" }), 400, "invalid_request", /events/);
        await expectError(await post("usage", [event()]), 400, "invalid_request", /Not a usage batch/);
        const tooMany = { events: Array.from({ length: maxUsageBatch + 1 }, () => ({})) };
        await expectError(await post("usage", tooMany), 400, "invalid_request", /1 to 1000 events/);
      });

      it("answers 413 in the error shape for a body past the size cap", async () => {
        const body = `{"events":["${"x".repeat(usageBodyLimitBytes + 1024)}"]}`;
        await expectError(
          await post("usage", body),
          dataPlaneStatus.usage.tooLarge,
          "payload_too_large",
          /larger than/,
        );
      });
    });

    describe("alerts", () => {
      it("answers 202 for an alert, and folds a repeat into the same notice", async () => {
        const first = await post("alerts", alert());
        expect(first.status).toBe(dataPlaneStatus.alerts.accepted);
        const answer = DataPlaneAlertAnswer.parse(await first.json());
        const again = DataPlaneAlertAnswer.parse(await (await post("alerts", alert())).json());
        expect(again).toEqual({ accepted: true, notificationId: answer.notificationId, deduplicated: true });
      });

      it("answers 400 in the error shape for a body that is not an alert", async () => {
        await expectError(await post("alerts", "{not json"), 400, "invalid_request", /not valid JSON/);
        await expectError(await post("alerts", {}), 400, "invalid_request", /Not a valid alert/);
        await expectError(
          await post("alerts", { ...alert(), providerId: "prov_1" }),
          400,
          "invalid_request",
          /providerId/,
        );
        await expectError(
          await post("alerts", { ...alert(), message: "" }),
          400,
          "invalid_request",
          /message/,
        );
        await expectError(
          await post("alerts", { ...alert(), message: "x".repeat(20_000) }),
          400,
          "invalid_request",
          /larger than/,
        );
      });

      it("answers 404 in the error shape for a provider it does not have", async () => {
        await expectError(
          await post("alerts", { ...alert(), providerId: randomUUID() }),
          dataPlaneStatus.alerts.unknownProvider,
          "not_found",
          /No provider/,
        );
      });
    });
  });
}
