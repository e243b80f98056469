/**
 * Every config write goes through `writeConfig`: one transaction that serialises config writers
 * (advisory lock), applies the change, writes the audit entry and stores the next snapshot.
 * After commit, listeners (the long-poll endpoint, on every replica via NOTIFY) are woken.
 */
import { EventEmitter } from "node:events";
import type { GatewayConfig } from "@switchyard/core";
import type { Db, Prisma, Tx } from "@switchyard/db";
import { poolConfigFromUrl } from "@switchyard/db";
import pg from "pg";
import { type Actor, type AuditEntry, recordAudit } from "../audit/record.ts";
import type { CredentialVault } from "../providers/vault.ts";
import { compileGatewayConfig, configLineage } from "./compile.ts";

const configLockId = 0x5357_0001; // "SW" + 1: one lock for all config writers
const notifyChannel = "switchyard_config";

export type ConfigBus = {
  /** Newest version this replica knows of. */
  latestVersion(): number;
  /** Resolves with the new version when one newer than `after` is published, or null on timeout. */
  waitForNewer(after: number, timeoutMs: number, signal?: AbortSignal): Promise<number | null>;
  notifyLocal(version: number): void;
  close(): Promise<void>;
};

export async function createConfigBus(db: Db, databaseUrl: string): Promise<ConfigBus> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const head = await db.configSnapshot.findFirst({ orderBy: { version: "desc" }, select: { version: true } });
  let latest = head?.version ?? 0;

  const bump = (version: number) => {
    if (version > latest) {
      latest = version;
      events.emit("version", version);
    }
  };

  // LISTEN on a dedicated connection so writes made by other control-plane replicas wake us too.
  const listener = new pg.Client(poolConfigFromUrl(databaseUrl));
  let closed = false;
  const connectListener = async () => {
    await listener.connect();
    await listener.query(`LISTEN ${notifyChannel}`);
  };
  listener.on("notification", (msg) => {
    const version = Number(msg.payload);
    if (Number.isInteger(version)) bump(version);
  });
  listener.on("error", () => {
    // The long-poll still works within this replica; a reconnect is attempted by the safety poll below.
  });
  await connectListener();

  // Safety net if a NOTIFY is missed (listener connection lost): re-read the head every 2 s.
  const safety = setInterval(async () => {
    try {
      const row = await db.configSnapshot.findFirst({
        orderBy: { version: "desc" },
        select: { version: true },
      });
      if (row) bump(row.version);
    } catch {
      // Postgres down: proxies keep serving their last snapshot; nothing to do here.
    }
  }, 2000);
  safety.unref();

  return {
    latestVersion: () => latest,
    waitForNewer(after, timeoutMs, signal) {
      if (latest > after) return Promise.resolve(latest);
      return new Promise((resolve) => {
        const done = (v: number | null) => {
          clearTimeout(timer);
          events.off("version", onVersion);
          signal?.removeEventListener("abort", onAbort);
          resolve(v);
        };
        const onVersion = (v: number) => {
          if (v > after) done(v);
        };
        const onAbort = () => done(null);
        const timer = setTimeout(() => done(null), timeoutMs);
        events.on("version", onVersion);
        signal?.addEventListener("abort", onAbort);
      });
    },
    notifyLocal: bump,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(safety);
      await listener.end().catch(() => {});
    },
  };
}

/**
 * Compiles and stores the next snapshot inside `tx`; the caller must hold the config lock.
 * `vault` re-seals provider credentials for the data plane.
 */
async function storeNextSnapshot(tx: Tx, vault: CredentialVault): Promise<GatewayConfig> {
  const head = await tx.configSnapshot.findFirst({ orderBy: { version: "desc" }, select: { version: true } });
  const version = (head?.version ?? 0) + 1;
  const config = await compileGatewayConfig(tx, version, vault);
  await tx.configSnapshot.create({ data: { version, config: config as unknown as Prisma.InputJsonValue } });
  await tx.$executeRaw`SELECT pg_notify(${notifyChannel}, ${String(version)})`;
  return config;
}

export type ConfigWriteResult<T> = { result: T; audit: AuditEntry };

/**
 * The one way to change configuration. `change` runs in the transaction and returns its result
 * and the audit entry describing it; the snapshot is compiled after the change, in the same
 * transaction, so a committed change always has its snapshot.
 */
export async function writeConfig<T>(
  deps: { db: Db; bus: ConfigBus | null; vault: CredentialVault },
  actor: Actor,
  change: (tx: Tx) => Promise<ConfigWriteResult<T>>,
): Promise<{ result: T; version: number }> {
  const { result, version } = await deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${configLockId})`;
      const { result, audit } = await change(tx);
      await recordAudit(tx, actor, audit);
      const config = await storeNextSnapshot(tx, deps.vault);
      return { result, version: config.version };
    },
    { timeout: 15_000, maxWait: 10_000 },
  );
  deps.bus?.notifyLocal(version);
  return { result, version };
}

/**
 * Makes sure the head snapshot exists and carries this database's lineage (first start, after
 * seeding, or the first start after the lineage migration), without an audit entry.
 */
export async function ensureSnapshot(db: Db, vault: CredentialVault): Promise<number> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${configLockId})`;
    const head = await tx.configSnapshot.findFirst({
      orderBy: { version: "desc" },
      select: { version: true, config: true },
    });
    if (head && lineageOf(head.config) === (await configLineage(tx))) return head.version;
    return (await storeNextSnapshot(tx, vault)).version;
  });
}

/** The lineage a stored snapshot carries, or null for one stored before lineages existed. */
export function lineageOf(config: unknown): string | null {
  const lineage = (config as { lineage?: unknown } | null)?.lineage;
  return typeof lineage === "string" ? lineage : null;
}

export async function latestSnapshot(db: Db): Promise<{ version: number; config: unknown } | null> {
  return db.configSnapshot.findFirst({
    orderBy: { version: "desc" },
    select: { version: true, config: true },
  });
}

/** Stores a fresh snapshot of the current config (after seeding or a data migration). */
export async function republishSnapshot(db: Db, vault: CredentialVault): Promise<number> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${configLockId})`;
    return (await storeNextSnapshot(tx, vault)).version;
  });
}
