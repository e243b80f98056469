/**
 * Input that passed validation once reached Postgres and came back as a 500: a NUL or an unpaired
 * surrogate in free text, an audit cursor past bigint, a date before Postgres's calendar, a version
 * past int4. Each is now a 400 that names the field, sent here over HTTP the way a client would.
 */
import { type KeyFormOptions, unstorableTextMessage } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, fieldErrors, type Harness, startHarness, type TrpcResult } from "../../test/harness.ts";

let h: Harness;
let admin: Client;
let owner: { type: "user"; id: string };

beforeAll(async () => {
  h = await startHarness();
  admin = await new Client(h.url).login("admin");
  const options = (await admin.query("keys.formOptions")).body.result?.data as KeyFormOptions;
  owner = { type: "user", id: options.users[0]!.id };
});
afterAll(() => h.close());

const nul = "bad\u0000text";
const surrogate = "bad\ud800text";

/** A 400 whose field errors name exactly `fields`, each with the storable-text message where given. */
function expectRefused(r: TrpcResult, fields: string[], message?: RegExp | string) {
  expect(r.status, JSON.stringify(r.body.error)).toBe(400);
  const errors = fieldErrors(r);
  expect(Object.keys(errors).sort()).toEqual([...fields].sort());
  if (message !== undefined) {
    for (const f of fields) expect(errors[f]?.join(" "), f).toMatch(message);
  }
}

describe("audit.list", () => {
  it("refuses a cursor past the largest entry id, and takes the largest one", async () => {
    for (const cursor of ["99999999999999999999999", "9223372036854775808"]) {
      expectRefused(await admin.query("audit.list", { cursor }), ["cursor"], /entry id/);
    }
    const last = await admin.query("audit.list", { cursor: "9223372036854775807", limit: 1 });
    expect(last.status).toBe(200);
  });

  it("refuses a NUL or a broken surrogate in actor, action and target", async () => {
    for (const bad of [nul, surrogate]) {
      expectRefused(
        await admin.query("audit.list", { actor: bad, action: bad, target: bad }),
        ["actor", "action", "target"],
        unstorableTextMessage,
      );
    }
  });

  it("refuses dates Postgres cannot hold", async () => {
    expectRefused(
      await admin.query("audit.list", {
        from: "-100000-01-01T00:00:00.000Z",
        to: "+100000-01-01T00:00:00.000Z",
      }),
      ["from", "to"],
    );
  });
});

describe("keys", () => {
  it("list refuses a NUL or a broken surrogate in the search", async () => {
    for (const search of [nul, surrogate]) {
      expectRefused(await admin.query("keys.list", { search }), ["search"], unstorableTextMessage);
    }
  });

  it("create refuses a NUL in the name, a tag, a metadata key or value, and stores nothing", async () => {
    const before = await h.db.apiKey.count();
    const base = { name: "ok", owner, allowedModels: [], tags: [], metadata: {} };
    expectRefused(
      await admin.mutate("keys.create", { ...base, name: nul, tags: ["fine", nul] }),
      ["name", "tags"],
      unstorableTextMessage,
    );
    expectRefused(
      await admin.mutate("keys.create", { ...base, metadata: { [nul]: "value" } }),
      ["metadata"],
      unstorableTextMessage,
    );
    expectRefused(
      await admin.mutate("keys.create", { ...base, metadata: { team: surrogate } }),
      ["metadata"],
      unstorableTextMessage,
    );
    expectRefused(
      await admin.mutate("keys.create", { ...base, allowedModels: [nul] }),
      ["allowedModels"],
      unstorableTextMessage,
    );
    expect(await h.db.apiKey.count()).toBe(before);
  });

  it("update refuses a version past int4 and NULs in what it changes", async () => {
    const created = await admin.mutate("keys.create", {
      name: "hardening",
      owner,
      allowedModels: [],
      tags: [],
      metadata: {},
    });
    expect(created.status).toBe(200);
    const { id } = (created.body.result!.data as { key: { id: string } }).key;
    expectRefused(await admin.mutate("keys.update", { id, version: 2 ** 31, name: "x" }), ["version"]);
    expectRefused(
      await admin.mutate("keys.update", { id, version: 1, name: nul, metadata: { k: nul } }),
      ["name", "metadata"],
      unstorableTextMessage,
    );
  });
});

describe("providers", () => {
  it("create refuses a NUL in the name and a broken surrogate in the base URL or key", async () => {
    expectRefused(
      await admin.mutate("providers.create", {
        name: nul,
        kind: "openai",
        baseUrl: "https://api.example.com/v1",
      }),
      ["name"],
      unstorableTextMessage,
    );
    expectRefused(
      await admin.mutate("providers.create", {
        name: "hardening",
        kind: "openai",
        baseUrl: `https://api.example.com/v1${surrogate}`,
        apiKey: nul,
      }),
      ["baseUrl", "apiKey"],
      unstorableTextMessage,
    );
    expect(await h.db.provider.count({ where: { name: "hardening" } })).toBe(0);
  });

  it("update refuses a version past int4", async () => {
    const demo = await h.db.provider.findFirstOrThrow({ where: { name: "mock-provider" } });
    expectRefused(await admin.mutate("providers.update", { id: demo.id, version: 2 ** 31, name: "x" }), [
      "version",
    ]);
  });
});
