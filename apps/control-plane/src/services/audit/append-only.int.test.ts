/**
 * The audit log is append-only in Postgres itself, whoever connects: UPDATE, DELETE and TRUNCATE
 * are refused by triggers, checked here against the run's real database.
 */
import { createDb, type Db, poolConfigFromUrl } from "@switchyard/db";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { recordAudit } from "./record.ts";

let db: Db;
let client: pg.Client;
beforeAll(async () => {
  db = createDb(inject("databaseUrl"), { poolSize: 1 });
  client = new pg.Client(poolConfigFromUrl(inject("databaseUrl")));
  await client.connect();
  await db.$transaction((tx) =>
    recordAudit(
      tx,
      { id: null, email: "truncate@example.com", ip: null },
      { action: "key.updated", targetType: "thing" },
    ),
  );
});
afterAll(async () => {
  await client.end();
  await db.$disconnect();
});

describe("audit_log in Postgres", () => {
  it("refuses TRUNCATE, and the entries stay", async () => {
    const before = await db.auditLog.count();
    expect(before).toBeGreaterThan(0);
    // In a transaction rolled back either way, so that a TRUNCATE let through empties nothing.
    await client.query("BEGIN");
    try {
      await expect(client.query("TRUNCATE audit_log")).rejects.toThrow(
        /audit_log is append-only: TRUNCATE is not allowed/,
      );
    } finally {
      await client.query("ROLLBACK");
    }
    expect(await db.auditLog.count()).toBe(before);
  });

  it("refuses UPDATE and DELETE, as it always did", async () => {
    await expect(client.query("UPDATE audit_log SET action = 'tampered'")).rejects.toThrow(
      /append-only: UPDATE is not allowed/,
    );
    await expect(client.query("DELETE FROM audit_log")).rejects.toThrow(/append-only: DELETE is not allowed/);
  });
});
