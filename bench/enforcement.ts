/**
 * How soon a change saved in the dashboard is enforced by the proxy: a real control plane on a
 * scratch database and a real proxy long-polling it (no snapshot file, no spool), as in
 * test/enforcement.int.test.ts, which checks *that* each change is enforced; this measures *how
 * soon*. Each round makes four changes the way the dashboard makes them (tRPC with an admin's
 * session) on a fresh key: create it, narrow its allowed models, rotate it with grace 0, revoke it.
 * After each mutation answers, chat completions are sent back to back until one reflects the change;
 * the time from the mutation's answer to that answer is the enforcement latency (its resolution is
 * one request, well under a millisecond on loopback).
 *
 * Usage: `pnpm --filter @switchyard/bench enforcement [rounds]` (default 20) with Postgres on
 * 127.0.0.1 (or TEST_POSTGRES_URL). Prints a Markdown table; results are recorded in bench/README.md.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { createCredentialVault, seedDemoData, startControlPlane } from "@switchyard/control-plane";
import { parseMasterKeys } from "@switchyard/core/crypto/seal";
import {
  createDatabaseIfMissing,
  createDb,
  dropDatabase,
  migrateDatabase,
  withDatabase,
} from "@switchyard/db";
import { createMockProvider } from "@switchyard/mock-provider";
import { createProxy, silentLogger } from "../packages/proxy/src/index.ts";

const rounds = Number(process.argv[2] ?? 20);
/** A change not enforced after this long is reported as a failure, not timed. */
const giveUpMs = 10_000;
const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const databaseUrl = withDatabase(server, `switchyard_bench_enforce_${process.pid}`);
const dataPlaneToken = randomBytes(24).toString("base64url");
const masterKeys = `1:${randomBytes(32).toString("hex")}`;
const adminPassword = "bench-admin-password-123";
const model = "mock-gpt";
const otherModel = "mock-gpt-mini";

type Answer = { status: number; code: string | null };
type Trpc = { status: number; data: unknown };

/** A tRPC client with an admin's session cookie, as the dashboard talks to the control plane. */
function trpcClient(baseUrl: string) {
  let cookie = "";
  const finish = async (res: Response): Promise<Trpc> => {
    for (const c of res.headers.getSetCookie()) cookie = c.split(";")[0] ?? cookie;
    const body = (await res.json()) as { result?: { data: unknown } };
    if (res.status !== 200 || !body.result)
      throw new Error(`call failed (${res.status}): ${JSON.stringify(body)}`);
    return { status: res.status, data: body.result.data };
  };
  return {
    query: async (path: string) => finish(await fetch(`${baseUrl}/trpc/${path}`, { headers: { cookie } })),
    mutate: async (path: string, input: unknown) =>
      finish(
        await fetch(`${baseUrl}/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie },
          body: JSON.stringify(input),
        }),
      ),
  };
}

async function chat(proxyUrl: string, apiKey: string, asModel: string): Promise<Answer> {
  const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: asModel, messages: [{ role: "user", content: "Hello" }], max_tokens: 4 }),
  });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: res.ok ? null : (body.error?.code ?? null) };
}

const samples = new Map<string, { mutationMs: number[]; enforcedMs: number[] }>();

/** Runs `mutate`, then probes until `reflects` holds, and records both times under `change`. */
async function timeToEnforce<T>(
  change: string,
  mutate: () => Promise<Trpc>,
  probe: (result: T) => Promise<Answer>,
  reflects: (answer: Answer) => boolean,
): Promise<T> {
  const sentAt = performance.now();
  const result = (await mutate()).data as T;
  const answeredAt = performance.now();
  let last: Answer | null = null;
  while (performance.now() - answeredAt < giveUpMs) {
    last = await probe(result);
    if (reflects(last)) {
      const entry = samples.get(change) ?? { mutationMs: [], enforcedMs: [] };
      entry.mutationMs.push(answeredAt - sentAt);
      entry.enforcedMs.push(performance.now() - answeredAt);
      samples.set(change, entry);
      return result;
    }
  }
  throw new Error(
    `${change}: the proxy still answered ${JSON.stringify(last)} ${giveUpMs} ms after the mutation`,
  );
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const mock = createMockProvider();
const mockUrl = (await mock.listen(0, "127.0.0.1")).url;
await createDatabaseIfMissing(databaseUrl);
let cp: Awaited<ReturnType<typeof startControlPlane>> | null = null;
let proxy: ReturnType<typeof createProxy> | null = null;
try {
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 2 });
  try {
    await seedDemoData(db, {
      mockProviderUrl: mockUrl,
      passwords: { admin: adminPassword },
      vault: createCredentialVault({ masterKeys: parseMasterKeys(masterKeys), dataPlaneToken }),
    });
  } finally {
    await db.$disconnect();
  }
  cp = await startControlPlane({
    DATABASE_URL: databaseUrl,
    CONTROL_PLANE_PORT: "0",
    CONTROL_PLANE_HOST: "127.0.0.1",
    DATA_PLANE_TOKEN: dataPlaneToken,
    MASTER_KEYS: masterKeys,
    MIGRATE_ON_START: "false",
    KEY_ROTATION_INTERVAL_SECONDS: "0",
  });
  proxy = createProxy({
    controlPlaneUrl: cp.url,
    dataPlaneToken,
    snapshotPath: null,
    usageSpoolDir: null,
    logger: silentLogger,
  });
  const proxyUrl = (await proxy.listen(0, "127.0.0.1")).url;
  const admin = trpcClient(cp.url);
  await admin.mutate("auth.login", { email: "admin@example.com", password: adminPassword });
  const options = (await admin.query("keys.formOptions")).data as { users: { id: string }[] };

  type Created = { key: { id: string; version: number }; secret: string };
  const startedAt = performance.now();
  const loadAtStart = loadavg()[0]!;
  for (let round = 0; round < rounds; round++) {
    const created = await timeToEnforce<Created>(
      "create a key: the new secret is accepted",
      () =>
        admin.mutate("keys.create", {
          name: `bench ${randomUUID()}`,
          owner: { type: "user", id: options.users[0]!.id },
          allowedModels: [model, otherModel],
          tags: [],
          metadata: {},
        }),
      ({ secret }) => chat(proxyUrl, secret, model),
      (a) => a.status === 200,
    );
    const updated = await timeToEnforce<Created["key"]>(
      "narrow the allowed models: 403 model_not_allowed",
      () =>
        admin.mutate("keys.update", {
          id: created.key.id,
          version: created.key.version,
          allowedModels: [otherModel],
        }),
      () => chat(proxyUrl, created.secret, model),
      (a) => a.code === "model_not_allowed",
    );
    const rotated = await timeToEnforce<Created>(
      "rotate with grace 0: the old secret gets 401",
      () => admin.mutate("keys.rotate", { id: updated.id, graceMinutes: 0 }),
      () => chat(proxyUrl, created.secret, otherModel),
      (a) => a.code === "invalid_api_key",
    );
    await timeToEnforce(
      "revoke: 401 key_revoked",
      () => admin.mutate("keys.revoke", { id: rotated.key.id }),
      () => chat(proxyUrl, rotated.secret, otherModel),
      (a) => a.code === "key_revoked",
    );
  }
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(
    `\nEnforcement latency, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs, ` +
      `${rounds} rounds in ${seconds.toFixed(1)} s, load average ${loadAtStart.toFixed(1)} at start and ` +
      `${loadavg()[0]!.toFixed(1)} at the end\n`,
  );
  console.log(
    "| change | mutation p50 ms | enforced p50 ms | enforced p95 ms | enforced max ms |\n|---|---:|---:|---:|---:|",
  );
  for (const [change, { mutationMs, enforcedMs }] of samples) {
    console.log(
      `| ${change} | ${quantile(mutationMs, 0.5).toFixed(1)} | ${quantile(enforcedMs, 0.5).toFixed(1)} | ` +
        `${quantile(enforcedMs, 0.95).toFixed(1)} | ${Math.max(...enforcedMs).toFixed(1)} |`,
    );
  }
} finally {
  // Proxy first, so its last usage events reach the control plane before that closes.
  await proxy?.close();
  await cp?.close();
  await mock.close();
  await dropDatabase(databaseUrl);
}
