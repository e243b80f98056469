/**
 * Proxy benchmark: on loopback, in one run, the mock provider direct, a bare Node forwarder (`floor`,
 * bench/floor.ts: the least a Node gateway does), this proxy (through an alias of one deployment,
 * and `proxy-weighted`: through a weighted alias of two) and the Portkey gateway
 * (`@portkey-ai/gateway`), each gateway in its own process forwarding to the same mock provider, at
 * several concurrencies, JSON and streaming. Prints Markdown tables: requests/s, p50/p99 latency,
 * added latency and added time to first streamed byte over direct, gateway CPU per request, and
 * peak RSS of each gateway process. Results are recorded in bench/README.md.
 *
 * `pnpm --filter @switchyard/bench proxy [--seconds 5] [--warmup 1.5] [--concurrency 1,32,128]
 *   [--targets direct,floor,proxy,proxy-weighted,portkey] [--modes json,stream] [--node-options="<flags>"] [--cpu-prof <dir>]
 *   [--proxy-entry dist|src]`
 *
 * The proxy gets everything it enforces switched on: a key check (one key, allowed models, expiry),
 * and, when its environment has them, Redis rate limits (rpm/tpm set far above what the run sends)
 * and usage events (posted to the config server started here, which accepts and counts them).
 * `--node-options="<flags>"` adds node flags to the gateway processes (memory experiments).
 * `--cpu-prof <dir>` starts the gateways with `node --cpu-prof`; read a profile with
 * `pnpm --filter @switchyard/bench cpu-profile <file>`.
 * `--proxy-entry dist` (the default) builds the proxy's bundle (`pnpm --filter @switchyard/proxy
 * build`, dist/proxy.mjs) and runs it with the flags docker/Dockerfile uses, as production does;
 * `src` runs `node src/main.ts`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  configAnswersAtOnce,
  configVersionHeader,
  dataPlaneError,
  dataPlanePaths,
  dataPlaneStatus,
  GatewayConfig,
  readConfigPollQuery,
  type UsageBatchAnswer,
  unauthenticatedError,
} from "@switchyard/core";
import { Pool, request } from "undici";
import { ProxyEnv } from "../packages/proxy/src/env.ts";
import {
  gatewayConfig,
  testKey,
  testModel,
  testProvider,
} from "../packages/proxy/src/testing/gateway-config.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    warmup: { type: "string", default: "1.5" },
    concurrency: { type: "string", default: "1,32,128" },
    targets: { type: "string", default: "direct,floor,proxy,portkey" },
    modes: { type: "string", default: "json,stream" },
    "cpu-prof": { type: "string" },
    "node-options": { type: "string", default: "" },
    "proxy-entry": { type: "string", default: "dist" },
  },
});

const targetNames = ["direct", "floor", "proxy", "proxy-weighted", "portkey"] as const;
type TargetName = (typeof targetNames)[number];
/** The proxy's targets: the same proxy, its requests naming a one-deployment or a weighted alias. */
const isProxy = (name: TargetName): name is "proxy" | "proxy-weighted" =>
  name === "proxy" || name === "proxy-weighted";
const modeNames = ["json", "stream"] as const;
type Mode = (typeof modeNames)[number];

function listArg<T extends string>(text: string, allowed: readonly T[], name: string): T[] {
  const items = text.split(",").map((item) => item.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`--${name}: unknown '${item}', expected some of ${allowed.join(",")}`);
    }
  }
  return items as T[];
}

const measureMs = Number(args.seconds) * 1000;
const warmupMs = Number(args.warmup) * 1000;
const concurrencies = args.concurrency.split(",").map(Number);
if (!(measureMs > 0) || !(warmupMs >= 0) || concurrencies.some((c) => !Number.isInteger(c) || c < 1)) {
  throw new Error("--seconds must be > 0, --warmup >= 0, --concurrency a list of positive integers");
}
const targets = listArg(args.targets, targetNames, "targets");
const modes = listArg(args.modes, modeNames, "modes");
const cpuProfDir = args["cpu-prof"] === undefined ? null : resolve(args["cpu-prof"]);
/** Extra node flags for the gateway processes (memory experiments: `--max-semi-space-size=4`). */
const gatewayNodeOptions = args["node-options"].split(" ").filter((flag) => flag !== "");

const repoRoot = resolve(import.meta.dirname, "..");
const proxyEntry = listArg(args["proxy-entry"], ["dist", "src"] as const, "proxy-entry")[0];
/** The node flags and process environment docker/Dockerfile starts the proxy's bundle with. */
const proxyNodeFlags = ["--max-semi-space-size=4", "--heap-growing-percent=15"];
const proxyProcessEnv = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "131072",
  MALLOC_TRIM_THRESHOLD_: "131072",
};
const workDir = mkdtempSync(join(tmpdir(), "switchyard-bench-proxy-"));
const loopback = "127.0.0.1";

/** Mock provider knobs per mode: JSON answers at once; streams pace a few chunks. */
const mockKnobs: Record<Mode, Record<string, number>> = {
  json: { latencyMs: 0, ttftMs: 0, tokensPerSecond: 0, completionTokens: 4 },
  stream: { latencyMs: 0, ttftMs: 5, tokensPerSecond: 1000, completionTokens: 8 },
};
const upstreamModel = "mock-gpt";
/** The alias `proxy-weighted` requests name: two deployments of weight 1 on the mock provider. */
const weightedAlias = "mock-gpt-weighted";

function requestBody(mode: Mode, model: string): string {
  return mode === "json"
    ? JSON.stringify({ model, messages: [{ role: "user", content: "Say hello" }] })
    : JSON.stringify({
        model,
        messages: [{ role: "user", content: "Say hello" }],
        stream: true,
        stream_options: { include_usage: true },
      });
}

// ---------------------------------------------------------------------------------------------
// Child processes

type Child = { name: string; process: ChildProcess; logPath: string };
const children: Child[] = [];

function startChild(name: string, argv: string[], env: Record<string, string>): Child {
  const logPath = join(workDir, `${name}.log`);
  const log = createWriteStream(logPath);
  const execArgv = name === "mock" ? [] : [...gatewayNodeOptions];
  if (cpuProfDir !== null && name !== "mock") execArgv.push("--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`);
  const child = spawn(process.execPath, [...execArgv, ...argv], {
    cwd: workDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const entry = { name, process: child, logPath };
  children.push(entry);
  return entry;
}

function logTail(child: Child): string {
  try {
    return readFileSync(child.logPath, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}

async function stopChild(child: Child): Promise<void> {
  const proc = child.process;
  children.splice(children.indexOf(child), 1);
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((done) => proc.once("exit", () => done()));
  proc.kill("SIGTERM");
  const killed = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
  if (killed) {
    proc.kill("SIGKILL");
    await exited;
  }
}

function killAll(): void {
  for (const child of children) child.process.kill("SIGKILL");
}
process.once("SIGINT", () => {
  killAll();
  process.exit(130);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, loopback, done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Polls `url` until `ready(status, body)` holds, or fails with the child's log. */
async function waitReady(
  child: Child,
  url: string,
  ready: (status: number, body: string) => boolean,
): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (child.process.exitCode !== null) break;
    try {
      const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      if (ready(res.statusCode, await res.body.text())) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not become ready at ${url}; its log:\n${logTail(child)}`);
}

// ---------------------------------------------------------------------------------------------
// /proc sampling: resident memory and CPU time of a gateway process

/** VmRSS splits into anonymous memory (heap, buffers) and file pages (mostly the node binary). */
type ProcSample = { rssKb: number; hwmKb: number; anonKb: number; fileKb: number; cpuTicks: number };
const clockTicksPerSecond = 100; // USER_HZ on Linux

function sampleProc(pid: number): ProcSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields after the ")" that closes the command name: utime is the 14th field, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
      hwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0),
      anonKb: Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0),
      fileKb: Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return null;
  }
}

/** Samples a process every 50 ms; `peakRssKb` is the highest VmRSS seen since the last reset. */
function rssSampler(pid: number) {
  let peakRssKb = 0;
  const tick = () => {
    const sample = sampleProc(pid);
    if (sample !== null && sample.rssKb > peakRssKb) peakRssKb = sample.rssKb;
  };
  const timer = setInterval(tick, 50);
  return {
    get peakRssKb() {
      tick();
      return peakRssKb;
    },
    reset() {
      peakRssKb = 0;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The control plane stand-in: serves one GatewayConfig, accepts and counts usage events

const dataPlaneToken = `bench-data-plane-token-${randomUUID()}`;
const keySecret = `sk-sy-bench-${randomUUID().replaceAll("-", "")}`;

function startControlPlane(mockUrl: string) {
  const providerId = randomUUID();
  const pricing = { inputMicrosPerMTok: 150_000, outputMicrosPerMTok: 600_000 };
  const timeouts = { connectMs: 1000, firstByteMs: 10_000, totalMs: 60_000 };
  const config = GatewayConfig.parse(
    gatewayConfig({
      lineage: randomUUID(),
      keys: [
        testKey({
          id: randomUUID(),
          secrets: [{ secret: keySecret }],
          name: "bench",
          userId: randomUUID(),
          allowedModels: [upstreamModel, weightedAlias],
          // Limits checked on every request, never reached by this run.
          rpm: 1_000_000_000,
          tpm: 1_000_000_000_000,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        }),
      ],
      providers: [testProvider({ id: providerId, baseUrl: `${mockUrl}/v1` })],
      models: [
        testModel({
          name: upstreamModel,
          pricing,
          deployments: [{ id: randomUUID(), providerId, upstreamModel, timeouts }],
        }),
        testModel({
          name: weightedAlias,
          strategy: "weighted",
          pricing,
          deployments: [
            { id: randomUUID(), providerId, upstreamModel, timeouts, weight: 1 },
            { id: randomUUID(), providerId, upstreamModel, timeouts, weight: 1 },
          ],
        }),
      ],
    }),
  );
  const configBody = JSON.stringify(config);
  const usage = { posts: 0, events: 0, requestIds: new Set<string>() };
  const held = new Set<ServerResponse>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://control-plane");
    // Paths, statuses, query rules and bodies are the data-plane contract's, as the control plane's.
    if (req.headers.authorization !== `Bearer ${dataPlaneToken}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify(unauthenticatedError));
      return;
    }
    if (req.method === "GET" && url.pathname === dataPlanePaths.config) {
      const query = readConfigPollQuery(url.searchParams);
      if (!query.success) {
        res
          .writeHead(dataPlaneStatus.config.invalid, { "content-type": "application/json" })
          .end(JSON.stringify(dataPlaneError("invalid_request", query.message)));
        return;
      }
      if (configAnswersAtOnce(config, query.data)) {
        res
          .writeHead(dataPlaneStatus.config.snapshot, {
            "content-type": "application/json",
            [configVersionHeader]: String(config.version),
          })
          .end(configBody);
        return;
      }
      // Nothing newer: hold the long-poll as the control plane does, then 304.
      held.add(res);
      const timer = setTimeout(() => res.writeHead(dataPlaneStatus.config.unchanged).end(), 20_000);
      res.once("close", () => {
        clearTimeout(timer);
        held.delete(res);
      });
      return;
    }
    if (req.method === "POST" && url.pathname === dataPlanePaths.usage) {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        usage.posts++;
        // Counted, not validated: the benchmark measures the proxy, not ingest.
        const answer: UsageBatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
        try {
          const batch = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            events?: { requestId?: string }[];
          };
          for (const event of batch.events ?? []) {
            usage.events++;
            if (typeof event.requestId !== "string") continue;
            if (usage.requestIds.has(event.requestId)) {
              answer.duplicates++;
            } else {
              usage.requestIds.add(event.requestId);
              answer.accepted++;
            }
          }
        } catch {
          // counted as a post; a malformed batch shows up as posts without events
        }
        res
          .writeHead(dataPlaneStatus.usage.ingested, { "content-type": "application/json" })
          .end(JSON.stringify(answer));
      });
      return;
    }
    res.writeHead(404).end();
  };
  const server = createServer(onRequest);

  return {
    usage,
    async listen(): Promise<string> {
      await new Promise<void>((done) => server.listen(0, loopback, done));
      return `http://${loopback}:${(server.address() as AddressInfo).port}`;
    },
    async close(): Promise<void> {
      for (const res of held) res.writeHead(304).end();
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Gateways

type Gateway = {
  name: TargetName;
  origin: string;
  /** The model its requests name. */
  model: string;
  headers: Record<string, string>;
  child: Child | null;
  /** What the gateway enforces in this run, for the report. */
  notes: string[];
};

/** The proxy's environment: what this run sets, derived from the variables the proxy reads. */
function proxyEnvironment(
  controlPlaneUrl: string,
  port: number,
): { env: Record<string, string>; notes: string[] } {
  const env: Record<string, string> = {
    PROXY_PORT: String(port),
    PROXY_HOST: loopback,
    CONTROL_PLANE_URL: controlPlaneUrl,
    DATA_PLANE_TOKEN: dataPlaneToken,
    PROXY_SNAPSHOT_PATH: join(workDir, "proxy-snapshot.json"),
  };
  const notes: string[] = [];
  const known = Object.keys(ProxyEnv.shape);
  for (const name of known) {
    if (name in env) continue;
    if (name === "REDIS_URL") env[name] = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
    else if (/REDIS.*PREFIX/.test(name)) env[name] = `switchyard-bench-${process.pid}:`;
    else if (/SPOOL/.test(name)) env[name] = join(workDir, "usage-spool");
    else notes.push(`${name} left at its default`);
  }
  notes.unshift(`environment: ${known.join(", ")}`);
  return { env, notes };
}

async function startProxy(controlPlaneUrl: string, name: "proxy" | "proxy-weighted"): Promise<Gateway> {
  const port = await freePort();
  const { env, notes } = proxyEnvironment(controlPlaneUrl, port);
  let entry = join(repoRoot, "packages/proxy/src/main.ts");
  const flags: string[] = [];
  if (proxyEntry === "dist") {
    flags.push(...proxyNodeFlags);
    Object.assign(env, proxyProcessEnv);
    const built = spawnSync(process.execPath, [join(repoRoot, "packages/proxy/build.ts")], {
      stdio: "inherit",
    });
    if (built.status !== 0) throw new Error("building the proxy bundle failed");
    entry = join(repoRoot, "packages/proxy/dist/proxy.mjs");
  }
  const envPrefix =
    proxyEntry === "dist"
      ? Object.entries(proxyProcessEnv)
          .map(([name, value]) => `${name}=${value} `)
          .join("")
      : "";
  notes.unshift(
    `started as: ${envPrefix}node ${[...flags, ...gatewayNodeOptions, relative(repoRoot, entry)].join(" ")}`,
  );
  const child = startChild(name, [...flags, entry], env);
  const origin = `http://${loopback}:${port}`;
  await waitReady(
    child,
    `${origin}/healthz`,
    (status, body) => status === 200 && body.includes('"configVersion":1'),
  );
  const model = name === "proxy" ? upstreamModel : weightedAlias;
  notes.push(
    name === "proxy"
      ? `requests name '${model}', an alias of one deployment`
      : `requests name '${model}', a weighted alias of two deployments (weights 1 and 1)`,
  );
  return { name, origin, model, headers: { authorization: `Bearer ${keySecret}` }, child, notes };
}

/** The bare forwarder, started with the proxy's node flags and environment. */
async function startFloor(mockUrl: string): Promise<Gateway> {
  const port = await freePort();
  const flags = proxyEntry === "dist" ? proxyNodeFlags : [];
  const child = startChild("floor", [...flags, join(import.meta.dirname, "floor.ts")], {
    ...(proxyEntry === "dist" ? proxyProcessEnv : {}),
    FLOOR_UPSTREAM: mockUrl,
    FLOOR_PORT: String(port),
  });
  const origin = `http://${loopback}:${port}`;
  await waitReady(child, `${origin}/healthz`, (status) => status === 200);
  return {
    name: "floor",
    origin,
    model: upstreamModel,
    headers: {},
    child,
    notes: [
      `started as: ${proxyEntry === "dist" ? "the proxy's environment and flags, " : ""}node ${[...flags, ...gatewayNodeOptions].join(" ")} bench/floor.ts (no key check, no limits, no usage events; type-stripped source and undici's whole index, so its RSS is not comparable to the bundled proxy's)`,
    ],
  };
}

async function startPortkey(mockUrl: string): Promise<Gateway> {
  const port = await freePort();
  const entry = join(import.meta.dirname, "node_modules/@portkey-ai/gateway/build/start-server.js");
  const child = startChild("portkey", [entry, `--port=${port}`, "--headless"], { NODE_ENV: "production" });
  const origin = `http://${loopback}:${port}`;
  await waitReady(child, `${origin}/`, (status) => status === 200);
  return {
    name: "portkey",
    origin,
    model: upstreamModel,
    headers: {
      authorization: "Bearer sk-bench-unused",
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${mockUrl}/v1`,
    },
    child,
    notes: ["x-portkey-provider: openai, x-portkey-custom-host: the mock provider; no keys, no limits"],
  };
}

/**
 * One JSON and one streamed completion, checked for shape; for the proxy, a wrong key too, and
 * which deployments answer a few requests.
 */
async function preflight(gateway: Gateway): Promise<void> {
  for (const mode of modes) {
    await setMockKnobs(mode);
    const res = await request(`${gateway.origin}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...gateway.headers },
      body: requestBody(mode, gateway.model),
    });
    const text = await res.body.text();
    const ok = mode === "json" ? text.includes('"chat.completion"') : text.trimEnd().endsWith("data: [DONE]");
    if (res.statusCode !== 200 || !ok) {
      throw new Error(
        `${gateway.name} ${mode} preflight failed: HTTP ${res.statusCode} ${text.slice(0, 300)}`,
      );
    }
    if (isProxy(gateway.name) && mode === modes[0]) {
      const limits = Object.keys(res.headers).filter((name) => name.startsWith("x-ratelimit-"));
      gateway.notes.push(
        limits.length > 0
          ? `rate-limit headers: ${limits.join(", ")}`
          : "no x-ratelimit-* headers in answers",
      );
    }
  }
  if (isProxy(gateway.name)) {
    const res = await request(`${gateway.origin}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-sy-wrong" },
      body: requestBody("json", gateway.model),
    });
    await res.body.dump();
    if (res.statusCode !== 401) throw new Error(`proxy accepted a wrong key (HTTP ${res.statusCode})`);
    gateway.notes.push("key check: a wrong key gets 401");

    await setMockKnobs(modes[0]!);
    const answered = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const probe = await request(`${gateway.origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...gateway.headers },
        body: requestBody(modes[0]!, gateway.model),
      });
      await probe.body.dump();
      answered.add(String(probe.headers["x-switchyard-deployment"]));
    }
    const expected = gateway.name === "proxy" ? 1 : 2;
    if (answered.size !== expected) {
      throw new Error(
        `${gateway.name}: ${answered.size} deployments answered 40 requests, expected ${expected}`,
      );
    }
    gateway.notes.push(`deployments that answered 40 preflight requests: ${answered.size}`);
  }
}

let mockOrigin = "";
let currentKnobs: Mode | null = null;

async function setMockKnobs(mode: Mode): Promise<void> {
  if (currentKnobs === mode) return;
  const res = await request(`${mockOrigin}/_mock/knobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(mockKnobs[mode]),
  });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`mock provider refused knobs (HTTP ${res.statusCode})`);
  currentKnobs = mode;
}

// ---------------------------------------------------------------------------------------------
// The load generator: closed loop, `concurrency` workers over as many keep-alive connections

type Cell = {
  target: TargetName;
  mode: Mode;
  concurrency: number;
  requests: number;
  errors: number;
  firstError: string | null;
  rps: number;
  latency: { p50: number; p99: number };
  ttfb: { p50: number; p99: number };
  cpuUsPerRequest: number | null;
  peakRssMb: number | null;
};

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

class Samples {
  #values = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.#values.slice(0, this.length).sort();
  }
}

const doneTail = Buffer.from("data: [DONE]\n\n");

/** Whether a stream's last bytes are the [DONE] event (its last chunk, or the last two). */
function endsWithDone(last: Buffer | null, beforeLast: Buffer | null): boolean {
  if (last === null) return false;
  const tail =
    last.length >= doneTail.length || beforeLast === null ? last : Buffer.concat([beforeLast, last]);
  return tail.length >= doneTail.length && tail.subarray(tail.length - doneTail.length).equals(doneTail);
}

async function runCell(
  gateway: Gateway,
  mode: Mode,
  concurrency: number,
  rss: ReturnType<typeof rssSampler> | null,
) {
  await setMockKnobs(mode);
  const pool = new Pool(gateway.origin, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const headers = { "content-type": "application/json", ...gateway.headers };
  const body = requestBody(mode, gateway.model);
  const latency = new Samples();
  const ttfb = new Samples();
  let errors = 0;
  let firstError: string | null = null;
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };

  const startedAt = performance.now();
  const measureFrom = startedAt + warmupMs;
  const endAt = measureFrom + measureMs;
  let lastDone = measureFrom;
  let cpuAtStart: number | null = null;
  let measureTimer: NodeJS.Timeout | undefined;
  const pid = gateway.child?.process.pid;
  if (pid !== undefined) {
    measureTimer = setTimeout(() => {
      cpuAtStart = sampleProc(pid)?.cpuTicks ?? null;
      rss?.reset();
    }, warmupMs);
  }

  const worker = async () => {
    for (;;) {
      const start = performance.now();
      if (start >= endAt) return;
      try {
        const res = await pool.request({ path: "/v1/chat/completions", method: "POST", headers, body });
        let first = 0;
        let last: Buffer | null = null;
        let beforeLast: Buffer | null = null;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          if (first === 0) first = performance.now();
          beforeLast = last;
          last = chunk;
        }
        const done = performance.now();
        if (res.statusCode !== 200) {
          fail(`HTTP ${res.statusCode}: ${last?.toString("utf8").slice(0, 200) ?? ""}`);
        } else if (mode === "stream" && !endsWithDone(last, beforeLast)) {
          fail("stream ended without data: [DONE]");
        } else if (start >= measureFrom) {
          latency.push(done - start);
          ttfb.push(first - start);
          if (done > lastDone) lastDone = done;
        }
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
        await sleep(10);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearTimeout(measureTimer);
  const cpuAtEnd = pid === undefined ? null : (sampleProc(pid)?.cpuTicks ?? null);
  await pool.close();

  const sortedLatency = latency.sorted();
  const sortedTtfb = ttfb.sorted();
  const cell: Cell = {
    target: gateway.name,
    mode,
    concurrency,
    requests: latency.length,
    errors,
    firstError,
    rps: latency.length / ((lastDone - measureFrom) / 1000),
    latency: { p50: percentile(sortedLatency, 0.5), p99: percentile(sortedLatency, 0.99) },
    ttfb: { p50: percentile(sortedTtfb, 0.5), p99: percentile(sortedTtfb, 0.99) },
    cpuUsPerRequest:
      cpuAtStart === null || cpuAtEnd === null || latency.length === 0
        ? null
        : (((cpuAtEnd - cpuAtStart) / clockTicksPerSecond) * 1e6) / latency.length,
    peakRssMb: rss === null ? null : rss.peakRssKb / 1024,
  };
  return cell;
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);
}

function added(value: number, base: number | undefined): string {
  if (base === undefined || !Number.isFinite(base)) return "—";
  const delta = value - base;
  return `${delta >= 0 ? "+" : ""}${delta.toFixed(2)}`;
}

type Peak = { idle: ProcSample; afterLoad: ProcSample | null };
const mb = (kb: number | undefined) => (kb === undefined ? Number.NaN : kb / 1024);

function report(cells: Cell[], peaks: Map<TargetName, Peak>): string {
  const direct = (mode: Mode, c: number) =>
    cells.find((cell) => cell.target === "direct" && cell.mode === mode && cell.concurrency === c);
  const out: string[] = [];
  for (const mode of modes) {
    const stream = mode === "stream";
    out.push(
      "",
      stream
        ? `Streaming (${mockKnobs.stream.completionTokens} tokens, mock ttft ${mockKnobs.stream.ttftMs} ms, ${mockKnobs.stream.tokensPerSecond} tokens/s):`
        : `JSON (${mockKnobs.json.completionTokens} tokens, no mock latency):`,
      "",
    );
    const head = ["target", "c", "req/s", "p50 ms", "p99 ms", "added p50", "added p99"];
    if (stream) head.push("TTFB p50", "added TTFB p50", "added TTFB p99");
    head.push("gateway CPU µs/req", "gateway RSS MB", "errors");
    out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`);
    for (const c of concurrencies) {
      for (const target of targets) {
        const cell = cells.find((x) => x.target === target && x.mode === mode && x.concurrency === c);
        if (cell === undefined) continue;
        const base = target === "direct" ? undefined : direct(mode, c);
        const row = [
          target,
          String(c),
          fmt(cell.rps, 0),
          fmt(cell.latency.p50),
          fmt(cell.latency.p99),
          added(cell.latency.p50, base?.latency.p50),
          added(cell.latency.p99, base?.latency.p99),
        ];
        if (stream) {
          row.push(
            fmt(cell.ttfb.p50),
            added(cell.ttfb.p50, base?.ttfb.p50),
            added(cell.ttfb.p99, base?.ttfb.p99),
          );
        }
        row.push(fmt(cell.cpuUsPerRequest, 0), fmt(cell.peakRssMb, 0), String(cell.errors));
        out.push(`| ${row.join(" | ")} |`);
      }
    }
  }
  if (peaks.size > 0) {
    out.push(
      "",
      "| gateway | RSS idle (anon + file) MB | RSS after the load (anon + file) MB | peak RSS (VmHWM) MB |",
      "| --- | ---: | ---: | ---: |",
    );
    const split = (sample: ProcSample | null) =>
      sample === null
        ? "—"
        : `${fmt(mb(sample.rssKb), 0)} (${fmt(mb(sample.anonKb), 0)} + ${fmt(mb(sample.fileKb), 0)})`;
    for (const [name, peak] of peaks) {
      out.push(
        `| ${name} | ${split(peak.idle)} | ${split(peak.afterLoad)} | ${fmt(mb(peak.afterLoad?.hwmKb), 0)} |`,
      );
    }
  }
  const ratios: string[] = [];
  for (const mode of modes) {
    for (const c of concurrencies) {
      const proxy = cells.find((x) => x.target === "proxy" && x.mode === mode && x.concurrency === c);
      const portkey = cells.find((x) => x.target === "portkey" && x.mode === mode && x.concurrency === c);
      if (proxy && portkey) {
        const cpu =
          proxy.cpuUsPerRequest && portkey.cpuUsPerRequest
            ? `, CPU/req ${fmt(portkey.cpuUsPerRequest / proxy.cpuUsPerRequest, 1)}× less`
            : "";
        ratios.push(`- ${mode} c=${c}: proxy/portkey req/s ${fmt(proxy.rps / portkey.rps, 1)}×${cpu}`);
      }
      const weighted = cells.find(
        (x) => x.target === "proxy-weighted" && x.mode === mode && x.concurrency === c,
      );
      if (weighted?.cpuUsPerRequest && proxy?.cpuUsPerRequest) {
        ratios.push(
          `- ${mode} c=${c}: proxy-weighted CPU/req ${added(weighted.cpuUsPerRequest, proxy.cpuUsPerRequest)} µs over the one-deployment alias's ${fmt(proxy.cpuUsPerRequest, 0)} (req/s ${fmt(weighted.rps, 0)} vs ${fmt(proxy.rps, 0)})`,
        );
      }
      const floor = cells.find((x) => x.target === "floor" && x.mode === mode && x.concurrency === c);
      if (floor?.cpuUsPerRequest && proxy?.cpuUsPerRequest) {
        const ceiling = portkey?.cpuUsPerRequest
          ? `; the floor makes ${fmt(floor.rps / portkey.rps, 1)}× Portkey's req/s and uses ${fmt(portkey.cpuUsPerRequest / floor.cpuUsPerRequest, 1)}× less CPU per request`
          : "";
        ratios.push(
          `- ${mode} c=${c}: proxy CPU/req ${fmt(proxy.cpuUsPerRequest - floor.cpuUsPerRequest, 0)} µs over the bare forwarder's ${fmt(floor.cpuUsPerRequest, 0)}${ceiling}`,
        );
      }
    }
  }
  if (ratios.length > 0) out.push("", ...ratios);
  const failed = cells.filter((cell) => cell.errors > 0);
  for (const cell of failed) {
    out.push(
      `- ${cell.target} ${cell.mode} c=${cell.concurrency}: ${cell.errors} errors, first: ${cell.firstError}`,
    );
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// The run

const cells: Cell[] = [];
const peaks = new Map<TargetName, Peak>();
const notes: string[] = [];
let mock: { child: Child; url: string } | null = null;
const runStarted = performance.now();
const loadAtStart = loadavg()[0]!;

try {
  mock = await (async () => {
    const port = await freePort();
    const child = startChild("mock", [join(repoRoot, "packages/mock-provider/src/main.ts")], {
      MOCK_PROVIDER_HOST: loopback,
      MOCK_PROVIDER_PORT: String(port),
    });
    const url = `http://${loopback}:${port}`;
    await waitReady(child, `${url}/healthz`, (status) => status === 200);
    return { child, url };
  })();
  mockOrigin = mock.url;
  const controlPlaneServer = startControlPlane(mock.url);
  const controlPlaneUrl = await controlPlaneServer.listen();
  try {
    for (const target of targets) {
      const gateway: Gateway =
        target === "direct"
          ? {
              name: "direct",
              origin: mock.url,
              model: upstreamModel,
              headers: { authorization: "Bearer sk-bench-unused" },
              child: null,
              notes: [],
            }
          : target === "floor"
            ? await startFloor(mock.url)
            : isProxy(target)
              ? await startProxy(controlPlaneUrl, target)
              : await startPortkey(mock.url);
      const pid = gateway.child?.process.pid;
      try {
        await preflight(gateway);
        const idle = pid === undefined ? null : sampleProc(pid);
        const rss = pid === undefined ? null : rssSampler(pid);
        const usageBefore = controlPlaneServer.usage.events;
        let sent = 0;
        for (const mode of modes) {
          for (const c of concurrencies) {
            const cell = await runCell(gateway, mode, c, rss);
            cells.push(cell);
            sent += cell.requests;
            process.stderr.write(
              `${target} ${mode} c=${c}: ${fmt(cell.rps, 0)} req/s, p50 ${fmt(cell.latency.p50)} ms, p99 ${fmt(cell.latency.p99)} ms, errors ${cell.errors}\n`,
            );
          }
        }
        rss?.stop();
        if (pid !== undefined && idle !== null) {
          peaks.set(target, { idle, afterLoad: sampleProc(pid) });
        }
        if (isProxy(target)) {
          // Usage events trail the requests by a flush interval; give them a moment.
          await sleep(2000);
          const received = controlPlaneServer.usage.events - usageBefore;
          gateway.notes.push(
            received > 0
              ? `usage events: ${received} received by the config server (${controlPlaneServer.usage.requestIds.size} distinct request ids) for ≥ ${sent} measured requests plus warm-ups`
              : "usage events: none received (this proxy does not send them yet)",
          );
        }
      } finally {
        if (gateway.child !== null) await stopChild(gateway.child);
      }
      if (gateway.notes.length > 0) notes.push(`${target}:`, ...gateway.notes.map((note) => `  - ${note}`));
    }
  } finally {
    await controlPlaneServer.close();
  }
} finally {
  if (mock !== null) await stopChild(mock.child);
  killAll();
}

const seconds = ((performance.now() - runStarted) / 1000).toFixed(0);
process.stdout.write(
  `\nProxy benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs, ` +
    `${measureMs / 1000} s per cell after ${warmupMs / 1000} s warm-up, run took ${seconds} s, ` +
    `load average ${loadAtStart.toFixed(1)} at start and ${loadavg()[0]!.toFixed(1)} at the end` +
    `${gatewayNodeOptions.length > 0 ? `, gateway node options: ${gatewayNodeOptions.join(" ")}` : ""}\n`,
);
process.stdout.write(`${report(cells, peaks)}\n\n${notes.join("\n")}\n`);
if (cpuProfDir !== null) process.stdout.write(`\nCPU profiles in ${cpuProfDir}\n`);
if (process.env.BENCH_KEEP === undefined) rmSync(workDir, { recursive: true, force: true });
