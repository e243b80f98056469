/**
 * The top frames of a V8 CPU profile (`node --cpu-prof`, e.g. from `proxy.ts --cpu-prof <dir>`):
 * self time per function, and self time per file grouped by package, so that what dominates a
 * gateway's CPU shows without opening DevTools.
 * Usage: `pnpm --filter @switchyard/bench cpu-profile <file.cpuprofile> [top=30]`.
 */
import { readFileSync } from "node:fs";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: cpu-profile.ts <file.cpuprofile> [top]\n");
  process.exit(1);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

// Each sample is attributed to the node that was on top of the stack; its delta is the time spent.
const selfUs = new Map<number, number>();
let totalUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  totalUs += delta;
}

function shortUrl(url: string): string {
  if (url === "") return "";
  const nodeModules = url.lastIndexOf("node_modules/");
  if (nodeModules !== -1) return url.slice(nodeModules + "node_modules/".length);
  const packages = url.indexOf("/packages/");
  return packages === -1 ? url.replace(/^file:\/\//, "") : url.slice(packages + 1);
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = shortUrl(url);
  return `${functionName || "(anonymous)"}${where === "" ? "" : ` ${where}:${lineNumber + 1}`}`;
}

/** Who owns a frame: node internals, GC/idle/program, a package, or this repository's code. */
function owner(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return url.split("/")[0] ?? url;
  const short = shortUrl(url);
  if (url.includes("node_modules/")) {
    const parts = short.split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? short);
  }
  return short.split("/").slice(0, 2).join("/");
}

const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  byFunction.set(label(node), (byFunction.get(label(node)) ?? 0) + us);
  byOwner.set(owner(node), (byOwner.get(owner(node)) ?? 0) + us);
}

// Where the heaviest frames are called from: the chain of callers up to the first frame outside
// Node's own modules (at most 8 levels), by self time.
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
function callers(name: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    if (label(node) !== name) continue;
    const chain: string[] = [];
    for (let up = parentOf.get(id); up !== undefined && chain.length < 8; up = parentOf.get(up)) {
      const caller = byId.get(up)!;
      chain.push(label(caller));
      if (caller.callFrame.url !== "" && !caller.callFrame.url.startsWith("node:")) break;
    }
    const key = chain.join(" ← ");
    rows.set(key, (rows.get(key) ?? 0) + us);
  }
  return rows;
}

function table(title: string, rows: Map<string, number>, limit: number): string {
  const sorted = [...rows].sort((a, b) => b[1] - a[1]).slice(0, limit);
  const lines = [`| ${title} | self ms | % |`, "| --- | ---: | ---: |"];
  for (const [name, us] of sorted) {
    lines.push(
      `| ${name.replaceAll("|", "\\|")} | ${(us / 1000).toFixed(0)} | ${((100 * us) / totalUs).toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

const heaviest = [...byFunction]
  .filter(([name]) => !name.startsWith("("))
  .sort((a, b) => b[1] - a[1])
  .slice(0, 4)
  .map(([name]) => `\n${table(`callers of ${name}`, callers(name), 5)}\n`)
  .join("");

process.stdout.write(
  `${file}: ${(totalUs / 1e6).toFixed(1)} s sampled\n\n${table("function", byFunction, top)}\n\n${table("owner", byOwner, 20)}\n${heaviest}`,
);
