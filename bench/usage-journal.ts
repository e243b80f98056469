/**
 * What the usage journal costs the proxy: the usage shipper (packages/proxy/src/usage/shipper.ts)
 * fed synthetic usage events, without a spool (events in memory only) and with one (every event also
 * journaled: group commits of one write(2) each, fdatasync'd on the thread pool), delivering to a
 * control-plane stand-in in this process that answers every batch 200. Prints a Markdown table:
 * - paced: `--per-turn` events per event-loop turn (requests finishing across turns, as under load),
 *   time inside enqueue() per event (the request path's share), and process CPU per event, user and
 *   system (everything included: serialization, group commits, fdatasyncs, posting, the stand-in's
 *   reading; the making of the events is measured alone and taken off);
 * - burst: enqueue() called 5,000 times back to back, no yielding, events per second (the inline
 *   commit every 64 events included).
 * Results are recorded in bench/README.md.
 *
 * `pnpm --filter @switchyard/bench usage-journal [--events 200000] [--per-turn 20] [--runs 3]`
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { parseArgs } from "node:util";
import type { UsageEvent } from "@switchyard/core";
import { silentLogger } from "../packages/proxy/src/logger.ts";
import { createProxyMetrics } from "../packages/proxy/src/metrics/metrics.ts";
import { createUsageShipper } from "../packages/proxy/src/usage/shipper.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    "per-turn": { type: "string", default: "20" },
    runs: { type: "string", default: "3" },
  },
});
const events = Number(values.events);
const perTurn = Number(values["per-turn"]);
const runs = Number(values.runs);

const token = "bench-usage-journal-token";
let received = 0;
const sink = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    received++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"accepted":0,"duplicates":0,"rejected":[]}');
  });
});
await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
const controlPlaneUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const ids = { key: randomUUID(), user: randomUUID(), team: randomUUID(), deployment: randomUUID() };
const provider = randomUUID();

/** An event as the proxy records a chat completion: the same shape and about the same size. */
function usageEvent(): UsageEvent {
  return {
    requestId: randomUUID(),
    at: new Date().toISOString(),
    keyId: ids.key,
    userId: ids.user,
    teamId: ids.team,
    model: "gpt-4o-mini",
    deploymentId: ids.deployment,
    providerId: provider,
    promptVersionId: null,
    variant: null,
    promptTokens: 42,
    completionTokens: 128,
    costMicros: 1_337,
    latencyMs: 210,
    ttftMs: null,
    status: 200,
    errorCode: null,
    stream: false,
    moderation: null,
  };
}

type Variant = "memory" | "journal";
type Result = {
  enqueueNsPerEvent: number;
  userUsPerEvent: number;
  systemUsPerEvent: number;
  burstPerSecond: number;
};

async function measure(variant: Variant): Promise<Result> {
  const spoolDir = variant === "journal" ? mkdtempSync(join(tmpdir(), "bench-usage-journal-")) : null;
  const shipper = createUsageShipper({
    controlPlaneUrl,
    dataPlaneToken: token,
    spoolDir,
    log: silentLogger,
    metrics: createProxyMetrics(),
  });
  await shipper.start();
  try {
    // Paced: a few events per loop turn, so that timers (group commits, batch flushes) run between them.
    const batch: UsageEvent[] = [];
    let enqueueMs = 0;
    const cpuBefore = process.cpuUsage();
    for (let sent = 0; sent < events; sent += perTurn) {
      batch.length = 0;
      for (let i = 0; i < perTurn; i++) batch.push(usageEvent());
      const started = performance.now();
      for (const event of batch) shipper.enqueue(event);
      enqueueMs += performance.now() - started;
      await nextTurn();
    }
    await shipper.flush();
    const cpu = process.cpuUsage(cpuBefore);
    // Minus what making the events cost, measured alone.
    const makeBefore = process.cpuUsage();
    for (let i = 0; i < events; i++) usageEvent();
    const make = process.cpuUsage(makeBefore);

    // Bursts: back to back, the loop never yields until the end of one. 5,000 at a time stays under
    // the queue's spill bound (10,000), so that the spool is never written.
    let burstMs = 0;
    let burstEvents = 0;
    for (let round = 0; round < 10; round++) {
      const burst = Array.from({ length: 5_000 }, usageEvent);
      const burstStarted = performance.now();
      for (const event of burst) shipper.enqueue(event);
      burstMs += performance.now() - burstStarted;
      burstEvents += burst.length;
      await shipper.flush();
    }

    return {
      enqueueNsPerEvent: (enqueueMs * 1e6) / events,
      userUsPerEvent: (cpu.user - make.user) / events,
      systemUsPerEvent: (cpu.system - make.system) / events,
      burstPerSecond: burstEvents / (burstMs / 1000),
    };
  } finally {
    await shipper.close();
    if (spoolDir !== null) rmSync(spoolDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<Variant, Result[]> = { memory: [], journal: [] };
// Warm-up of both paths (JIT, the sink's connections), not recorded.
await measure("memory");
await measure("journal");
for (let run = 0; run < runs; run++) {
  // Alternating, so that a noisy neighbour hurts both alike.
  for (const variant of ["memory", "journal"] as const) results[variant].push(await measure(variant));
}
sink.close();

process.stdout.write(
  `${new Date().toISOString()}, ${cpus().length}× ${cpus()[0]?.model ?? "?"}, Node ${process.version}, ` +
    `load average ${loadavg()[0]!.toFixed(2)}; ${events} events per run (${perTurn} per loop turn), ` +
    `median of ${runs} runs, ${received} batches posted in all\n\n`,
);
process.stdout.write(
  "| variant | enqueue ns/event (paced) | CPU µs/event (paced, all in): user + system | burst enqueue events/s |\n",
);
process.stdout.write("| --- | ---: | ---: | ---: |\n");
for (const variant of ["memory", "journal"] as const) {
  const rs = results[variant];
  process.stdout.write(
    `| ${variant === "memory" ? "no spool (memory only)" : "spool + journal"} | ` +
      `${median(rs.map((r) => r.enqueueNsPerEvent)).toFixed(0)} | ` +
      `${median(rs.map((r) => r.userUsPerEvent + r.systemUsPerEvent)).toFixed(2)}: ` +
      `${median(rs.map((r) => r.userUsPerEvent)).toFixed(2)} + ${median(rs.map((r) => r.systemUsPerEvent)).toFixed(2)} | ` +
      `${Math.round(median(rs.map((r) => r.burstPerSecond))).toLocaleString("en-US")} |\n`,
  );
}
