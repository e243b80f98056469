/**
 * Audit log at scale: fills a scratch database with N audit entries (default 1,000,000) and times
 * the queries the Audit page makes: first page, a deep page by cursor, each filter, and the action
 * list. Usage: `pnpm --filter @switchyard/bench audit-log [rows]` with Postgres on 127.0.0.1
 * (or TEST_POSTGRES_URL). Prints a Markdown table; results are recorded in bench/README.md.
 */
import { AuditListInput } from "@switchyard/core";
import {
  createDatabaseIfMissing,
  createDb,
  dropDatabase,
  migrateDatabase,
  withDatabase,
} from "@switchyard/db";
import { listAuditActions } from "../apps/control-plane/src/services/audit/actions.ts";
import { listAuditEntries } from "../apps/control-plane/src/services/audit/list.ts";

const rows = Number(process.argv[2] ?? 1_000_000);
const server = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const url = withDatabase(server, `switchyard_bench_audit_${process.pid}`);

await createDatabaseIfMissing(url);
try {
  await migrateDatabase(url);
  const db = createDb(url, { poolSize: 2 });
  const fillStart = performance.now();
  await db.$executeRawUnsafe(`
    INSERT INTO audit_log (at, actor_email, action, target_type, target_id, ip, after)
    SELECT now() - ((${rows} - g) || ' seconds')::interval,
           'user' || (g % 50) || '@example.com',
           (ARRAY['auth.login','auth.logout','keys.create','keys.rotate','keys.revoke','routing.update','budgets.update','prompts.publish'])[1 + g % 8],
           (ARRAY['session','key','route','budget','prompt'])[1 + g % 5],
           'target-' || (g % 20000),
           '10.0.' || (g % 255) || '.' || (g % 200),
           jsonb_build_object('n', g)
    FROM generate_series(1, ${rows}) AS g`);
  await db.$executeRawUnsafe("ANALYZE audit_log");
  const fillMs = performance.now() - fillStart;

  const time = async (label: string, fn: () => Promise<unknown>) => {
    await fn(); // warm
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    return { label, p50: samples[10]!, p95: samples[18]! };
  };
  const list = (input: Partial<AuditListInput>) =>
    listAuditEntries({ db, input: AuditListInput.parse(input) });
  const deepCursor = String(Math.floor(rows * 0.01));
  const results = [
    await time("first page (50, newest first)", () => list({})),
    await time(`deep page (cursor near the oldest entry, id < ${deepCursor})`, () =>
      list({ cursor: deepCursor }),
    ),
    await time("filter by actor", () => list({ actor: "user7@example.com" })),
    await time("filter by action", () => list({ action: "keys.rotate" })),
    await time("filter by target id", () => list({ target: "target-1234" })),
    await time("filter by target type:id", () => list({ target: "key:target-1236" })),
    await time("time range (one hour, a week ago)", () =>
      list({
        from: new Date(Date.now() - 7 * 86_400_000),
        to: new Date(Date.now() - 7 * 86_400_000 + 3_600_000),
      }),
    ),
    await time("rare action + actor (sparse match)", () =>
      list({ action: "auth.logout", actor: "user0@example.com" }),
    ),
    await time("distinct actions (filter dropdown)", () => listAuditActions({ db })),
  ];
  console.log(`\n${rows.toLocaleString("en")} audit entries (filled in ${(fillMs / 1000).toFixed(1)} s)\n`);
  console.log("| query | p50 ms | p95 ms |\n|---|---:|---:|");
  for (const r of results) console.log(`| ${r.label} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} |`);
  await db.$disconnect();
} finally {
  await dropDatabase(url);
}
