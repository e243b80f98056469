/**
 * The production bundle (dist/proxy.mjs, what docker/Dockerfile and the benchmark start): built by
 * build.ts, started as its own process, it serves JSON and streamed chat completions and ships their
 * usage events, and shuts down cleanly. It also keeps the memory savings build.ts exists for: the
 * file is ASCII (a one-byte source string in V8), and Node's own bundled undici is never loaded.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createFakeControlPlane } from "./testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "./testing/gateway-config.ts";
import { freePort } from "./testing/ports.ts";

const packageDir = join(import.meta.dirname, "..");
const bundlePath = join(packageDir, "dist/proxy.mjs");
const token = "bundle-test-data-plane-token";
const secret = "sk-sy-test-secret";
/** The key of the shutdown case's own process, so its usage events are told apart. */
const shutdownSecret = "sk-sy-shutdown-secret";
const keyId = randomUUID();

let dir: string;
let mock: MockProvider;
let controlPlane: ReturnType<typeof createFakeControlPlane>;
let cpUrl: string;
const children: ChildProcess[] = [];
/** The process the serving cases share. */
let bundle: Bundle;

type Bundle = {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Where the child writes `process.moduleLoadList` when it exits. */
  loadListPath: string;
};

/** Starts dist/proxy.mjs as production does, with a spool and snapshot of its own, once it serves. */
async function startBundle(name: string): Promise<Bundle> {
  const own = join(dir, name);
  await mkdir(own);
  const loadListPath = join(own, "module-load-list.json");
  const probe = join(own, "probe.mjs");
  await writeFile(
    probe,
    `const { writeFileSync } = process.getBuiltinModule("node:fs");
process.on("exit", () => writeFileSync(${JSON.stringify(loadListPath)}, JSON.stringify(process.moduleLoadList)));
`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", probe, bundlePath], {
    env: {
      PATH: process.env.PATH,
      PROXY_PORT: String(port),
      CONTROL_PLANE_URL: cpUrl,
      DATA_PLANE_TOKEN: token,
      PROXY_SNAPSHOT_PATH: join(own, "snapshot.json"),
      PROXY_USAGE_SPOOL_DIR: join(own, "spool"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  await vi.waitFor(
    async () => {
      const res = await fetch(`${url}/healthz`);
      expect(res.headers.get("x-switchyard-config-version"), output).toBe("1");
    },
    { timeout: 10_000, interval: 50 },
  );
  return { child, url, output: () => output, loadListPath };
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, ["build.ts"], { cwd: packageDir, encoding: "utf8" });
  expect(build.status, build.stderr).toBe(0);

  dir = await mkdtemp(join(tmpdir(), "proxy-bundle-"));
  mock = createMockProvider();
  const { url: mockUrl } = await mock.listen();
  controlPlane = createFakeControlPlane({ token, holdMs: 1000 });
  // Usage events name the key, provider and deployment by id: UUIDs, as the control plane issues.
  const providerId = randomUUID();
  controlPlane.publish(
    gatewayConfig({
      keys: [
        testKey({ id: keyId, secrets: [{ secret }] }),
        testKey({ id: randomUUID(), secrets: [{ secret: shutdownSecret }] }),
      ],
      providers: [testProvider({ id: providerId, baseUrl: `${mockUrl}/v1` })],
      models: [testModel({ deployments: [{ id: randomUUID(), providerId }] })],
    }),
  );
  cpUrl = await controlPlane.listen();

  bundle = await startBundle("shared");
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await controlPlane?.close();
  await mock?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("the production bundle", () => {
  it("is ASCII and loads Node built-ins with require(), not ES imports", async () => {
    const code = await readFile(bundlePath, "utf8");
    expect(code.search(/[^\p{ASCII}]/u)).toBe(-1);
    const esImports = code.match(/^import .* from ["']node:[^"']+["']/gm) ?? [];
    // Only the banner's, which provides require() itself.
    expect(esImports).toEqual(["import { createRequire } from 'node:module'"]);
  });

  it("serves JSON and streamed chat completions and ships one usage event per request", async () => {
    const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    const messages = [{ role: "user", content: "Hello" }];
    const json = await fetch(`${bundle.url}/v1/chat/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ model: "gpt-test", messages }),
    });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { object: string }).object).toBe("chat.completion");

    const stream = await fetch(`${bundle.url}/v1/chat/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ model: "gpt-test", messages, stream: true }),
    });
    expect(stream.status).toBe(200);
    expect(await stream.text()).toMatch(/data: \[DONE\]\n\n$/);

    const refused = await fetch(`${bundle.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...headers, authorization: "Bearer sk-sy-wrong" },
      body: "{}",
    });
    expect(refused.status).toBe(401);

    const ids = [json.headers.get("x-request-id"), stream.headers.get("x-request-id")];
    const events = () =>
      [...controlPlane.usageEvents.values()].filter((e) => e.keyId === keyId).map((e) => e.requestId);
    await vi.waitFor(() => expect(events().sort(), bundle.output()).toEqual(ids.sort()), { timeout: 5000 });
  });

  it("shuts down cleanly on SIGTERM without having loaded Node's own undici", async () => {
    // A process of its own, so the other cases keep theirs; it serves a request before it stops.
    const own = await startBundle("shutdown");
    const res = await fetch(`${own.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${shutdownSecret}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "Hello" }] }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const exited = once(own.child, "exit");
    own.child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code, own.output()).toBe(0);
    const loaded = JSON.parse(await readFile(own.loadListPath, "utf8")) as string[];
    expect(loaded.length).toBeGreaterThan(50);
    // Node's bundled undici (fetch, WebSocket) loads on the first read of one of its globals, or of
    // node:http's WebSocket export by an ES import: ~14 MB the proxy never uses.
    expect(loaded.filter((name) => name.includes("deps/undici"))).toEqual([]);
  });
});
