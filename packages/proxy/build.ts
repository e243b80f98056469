/**
 * `pnpm --filter @switchyard/proxy build`: bundles the proxy process (src/main.ts and everything it
 * imports, dependencies included) into one ESM file, dist/proxy.mjs. Production and the benchmark
 * start the proxy from it: no type stripping at start-up and one module instead of hundreds, which
 * takes about a third off its idle memory (bench/README.md). `node src/main.ts` stays the way to
 * run it in development.
 */
import { join } from "node:path";
import { build } from "esbuild";

const root = import.meta.dirname;
const outfile = join(root, "dist/proxy.mjs");

await build({
  entryPoints: [join(root, "src/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  // Dependencies that are still CommonJS (ioredis, prom-client) call require() for Node built-ins.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  legalComments: "none",
  logLevel: "warning",
});
process.stdout.write(`built ${outfile}\n`);
