/**
 * `pnpm --filter @switchyard/proxy build`: bundles the proxy process (src/main.ts and everything it
 * imports, dependencies included) into one ESM file, dist/proxy.mjs. Production and the benchmark
 * start the proxy from it: no type stripping at start-up and one module instead of hundreds, which
 * takes about a third off its idle memory (bench/README.md). `node src/main.ts` stays the way to
 * run it in development.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { build, type Plugin } from "esbuild";

const root = import.meta.dirname;
const outfile = join(root, "dist/proxy.mjs");

/**
 * Node built-ins are loaded with require(), not as ES modules. An ES import of a built-in builds its
 * namespace by reading every export, and reading `node:http`'s `WebSocket`, `CloseEvent` and
 * `MessageEvent` loads Node's own bundled copy of undici (fetch, WebSocket), about 14 MB of
 * resident memory the proxy never uses (bench/README.md, "Memory"). require() reads only what the
 * code uses.
 */
const builtinsByRequire: Plugin = {
  name: "builtins-by-require",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === "import-statement"
        ? { path: args.path, namespace: "builtin-require" }
        : { path: args.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: "builtin-require" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

const result = await build({
  entryPoints: [join(root, "src/main.ts")],
  outfile,
  write: false,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  // Dependencies that are still CommonJS (ioredis, prom-client) call require() for Node built-ins.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  plugins: [builtinsByRequire],
  // V8 keeps the bundle's source in memory, and one character outside Latin-1 anywhere makes it a
  // two-byte string, twice the size (3.8 MB instead of 1.9): strings and regexes come out escaped.
  charset: "ascii",
  legalComments: "none",
  logLevel: "warning",
});
// esbuild keeps a few comments inside expressions as written (zod has an em dash in one); escaped
// too, which changes nothing there, so the whole file is ASCII.
const code = result.outputFiles[0]!.text.replace(
  /[^\p{ASCII}]/gu,
  // Per UTF-16 unit: a character outside the BMP becomes its two surrogate escapes.
  (c) =>
    Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(
      "",
    ),
);
await mkdir(dirname(outfile), { recursive: true });
await writeFile(outfile, code);
process.stdout.write(`built ${outfile}\n`);
