/**
 * The CPU the proxy's resolve and select stages spend per request, in process: an alias of one
 * deployment against a weighted alias of two, and one of ten. The whole-request benchmark
 * (`proxy.ts --targets proxy,proxy-weighted`) measures the same difference end to end, but its CPU
 * per request moves by tens of microseconds between runs on a shared machine; this isolates the
 * stages that differ. Each case runs the pipeline.s own `resolveModel` and `selectCandidates` on a
 * snapshot compiled as the proxy compiles it, over `--calls` calls after a warm-up, `--rounds`
 * times, and prints the median CPU per call (user + system, `process.cpuUsage`).
 *
 * `pnpm --filter @switchyard/bench selection [--calls 2000000] [--rounds 5]`
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { compileSnapshot } from "../packages/proxy/src/config/compile.ts";
import { chatSurface } from "../packages/proxy/src/endpoints/chat-completions.ts";
import { resolveModel, selectCandidates } from "../packages/proxy/src/pipeline/pipeline.ts";
import type { ModelRequest } from "../packages/proxy/src/pipeline/types.ts";
import { gatewayConfig, testKey, testModel } from "../packages/proxy/src/testing/gateway-config.ts";

const { values: args } = parseArgs({
  options: {
    calls: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "5" },
  },
});
const calls = Number(args.calls);
const rounds = Number(args.rounds);
if (!Number.isInteger(calls) || calls < 1 || !Number.isInteger(rounds) || rounds < 1) {
  throw new Error("--calls and --rounds must be positive integers");
}

const cases = [
  { name: "one deployment (priority)", alias: "single" },
  { name: "weighted, 2 deployments", alias: "weighted-2" },
  { name: "weighted, 10 deployments", alias: "weighted-10" },
] as const;

const deployments = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `dep_${i}`, weight: i + 1 }));
const snapshot = compileSnapshot(
  gatewayConfig({
    // A key with an allow-list, as the proxy benchmark's: the resolve stage checks it.
    keys: [testKey({ allowedModels: cases.map((c) => c.alias) })],
    models: [
      testModel({ name: "single" }),
      testModel({ name: "weighted-2", strategy: "weighted", deployments: deployments(2) }),
      testModel({ name: "weighted-10", strategy: "weighted", deployments: deployments(10) }),
    ],
  }),
);
const key = [...snapshot.keysByHash.values()][0]!.key;

function request(model: string): ModelRequest {
  return {
    body: { model, messages: [] },
    model,
    stream: false,
    promptTokens: 10,
    maxCompletionTokens: null,
  };
}

/** CPU microseconds per call of resolve + select for `alias`, over `calls` calls. */
function measure(alias: string): number {
  const req = request(alias);
  // Read after the loop, so the work cannot be dropped as dead code.
  let picked = 0;
  const started = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const model = resolveModel(snapshot, key, req, chatSurface);
    picked += selectCandidates(model, chatSurface)[0].id.length;
  }
  const used = process.cpuUsage(started);
  if (picked === 0) throw new Error("nothing was selected");
  return (used.user + used.system) / calls;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const c of cases) measure(c.alias); // warm-up: every case compiled by the JIT before timing
const results = cases.map((c) => {
  const perRound = Array.from({ length: rounds }, () => measure(c.alias));
  return { ...c, nsPerCall: median(perRound) * 1000 };
});

const base = results[0]!.nsPerCall;
process.stdout.write(
  `\nSelection benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs, ` +
    `${calls} calls x ${rounds} rounds per case (median), load average ${loadavg()[0]!.toFixed(1)}\n\n` +
    "| alias | CPU ns per call (resolve + select) | over one deployment |\n| --- | ---: | ---: |\n",
);
for (const r of results) {
  const over =
    r === results[0] ? "—" : `${r.nsPerCall - base >= 0 ? "+" : ""}${(r.nsPerCall - base).toFixed(0)}`;
  process.stdout.write(`| ${r.name} | ${r.nsPerCall.toFixed(0)} | ${over} |\n`);
}
