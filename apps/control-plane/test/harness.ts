/** Starts a real control plane on the run's test database, and talks to it over HTTP like the dashboard. */
import { parseMasterKeys } from "@switchyard/core/crypto/seal";
import { createDb, type Db } from "@switchyard/db";
import { createMemoryStore, createRedisStore, type KvStore } from "@switchyard/store";
import { inject } from "vitest";
import { parseTrustedProxies } from "../src/client-ip.ts";
import { createMetrics } from "../src/metrics.ts";
import { createControlPlane } from "../src/server.ts";
import { type ConfigBus, createConfigBus, ensureSnapshot } from "../src/services/config/publish.ts";
import { type CredentialVault, createCredentialVault } from "../src/services/providers/vault.ts";
import { seedDemoData } from "../src/services/seed/demo.ts";

export const demoPasswords = {
  admin: "admin-password-123",
  reviewer: "reviewer-password-123",
  finance: "finance-password-123",
} as const;
export const demoEmails = {
  admin: "admin@example.com",
  reviewer: "reviewer@example.com",
  finance: "finance@example.com",
} as const;
export const dataPlaneToken = "test-data-plane-token-0123456789";
/** MASTER_KEYS of test control planes (version 1). */
export const testMasterKeys = `1:${"ab".repeat(32)}`;

export type Harness = {
  url: string;
  db: Db;
  store: KvStore;
  bus: ConfigBus;
  vault: CredentialVault;
  demoApiKey: string;
  close(): Promise<void>;
};

export async function startHarness(
  options: {
    redis?: boolean;
    /** With `redis`: this Redis instead of the run's (e.g. one that cannot be reached). */
    redisUrl?: string;
    /** TRUSTED_PROXIES; by default loopback, where the test's requests come from. */
    trustedProxies?: string;
    masterKeys?: string;
  } = {},
): Promise<Harness> {
  const databaseUrl = inject("databaseUrl");
  const db = createDb(databaseUrl);
  const vault = createCredentialVault({
    masterKeys: parseMasterKeys(options.masterKeys ?? testMasterKeys),
    dataPlaneToken,
  });
  const seeded = await seedDemoData(db, {
    mockProviderUrl: "http://127.0.0.1:8090",
    passwords: demoPasswords,
    demoApiKey: "sk-sy-testdemokey0000000000000000000000000000",
    vault,
  });
  await ensureSnapshot(db, vault);
  const store = options.redis
    ? createRedisStore(options.redisUrl ?? inject("redisUrl"), {
        prefix: `${inject("redisPrefix")}cp:${Math.random()}:`,
      })
    : createMemoryStore();
  const bus = await createConfigBus(db, databaseUrl);
  const cp = createControlPlane({
    db,
    store,
    bus,
    env: { SESSION_TTL_HOURS: 12, SESSION_MAX_LIFETIME_HOURS: 24 * 7, COOKIE_SECURE: false },
    metrics: createMetrics(),
    vault,
    dataPlaneToken,
    longPollSeconds: 2,
    trustedProxies: parseTrustedProxies(options.trustedProxies ?? "127.0.0.1,::1"),
  });
  const { url } = await cp.listen(0, "127.0.0.1");
  return {
    url,
    db,
    store,
    bus,
    vault,
    demoApiKey: seeded.demoApiKey,
    async close() {
      await cp.close();
      await store.close();
      await db.$disconnect();
    },
  };
}

export type TrpcResult = {
  status: number;
  body: { result?: { data: unknown }; error?: { message: string; data: Record<string, unknown> } };
  setCookie: string[];
  headers: Headers;
};

/** A browser-like tRPC caller: keeps the session cookie between calls. */
export class Client {
  cookie: string | null = null;
  readonly baseUrl: string;
  readonly ip: string;
  constructor(baseUrl: string, ip = `10.0.0.${Math.floor(Math.random() * 250) + 1}`) {
    this.baseUrl = baseUrl;
    this.ip = ip;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { "content-type": "application/json", "x-forwarded-for": this.ip };
    if (this.cookie) h.cookie = this.cookie;
    return h;
  }

  private async finish(res: Response): Promise<TrpcResult> {
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(";");
      if (pair?.endsWith("=")) this.cookie = null;
      else if (pair) this.cookie = pair;
    }
    return {
      status: res.status,
      body: (await res.json()) as TrpcResult["body"],
      setCookie,
      headers: res.headers,
    };
  }

  async query(path: string, input?: unknown): Promise<TrpcResult> {
    const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.finish(await fetch(`${this.baseUrl}/trpc/${path}${qs}`, { headers: this.headers() }));
  }

  async mutate(path: string, input?: unknown): Promise<TrpcResult> {
    return this.finish(
      await fetch(`${this.baseUrl}/trpc/${path}`, {
        method: "POST",
        headers: this.headers(),
        body: input === undefined ? undefined : JSON.stringify(input),
      }),
    );
  }

  async login(role: keyof typeof demoPasswords): Promise<this> {
    const r = await this.mutate("auth.login", { email: demoEmails[role], password: demoPasswords[role] });
    if (r.status !== 200) throw new Error(`login as ${role} failed: ${JSON.stringify(r.body)}`);
    return this;
  }
}

/** The zod field errors of a failed call ({} when there are none). */
export function fieldErrors(r: TrpcResult): Record<string, string[]> {
  return (r.body.error?.data.fieldErrors as Record<string, string[]> | null | undefined) ?? {};
}
