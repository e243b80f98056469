/**
 * A few thousand malformed and hostile requests from a seeded PRNG (the same ones every run): random
 * bytes, truncated JSON, deep nesting, wrong types in every field, strings around the body limit,
 * odd content types, methods and paths, invalid UTF-8, odd Authorization headers, broken HTTP, and
 * slow-loris connections. The proxy must never answer 5xx to bad input, every error must be in the
 * OpenAI shape, and it must still be healthy at the end.
 */
import { connect } from "node:net";
import type { GatewayConfig } from "@switchyard/core";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "./index.ts";
import { silentLogger } from "./logger.ts";
import { createFakeControlPlane } from "./testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "./testing/gateway-config.ts";

const token = "fuzz-int-data-plane-token";
const maxBodyBytes = 32 * 1024;
const seed = 0x5eed_2024;
const httpCases = 2400;
const rawCases = 300;
const concurrency = 16;

let mock: MockProvider;
let controlPlane: ReturnType<typeof createFakeControlPlane>;
let proxy: ProxyServer;
let proxyUrl: string;
let port: number;

/** mulberry32: a small, fast, seedable PRNG. */
function prng(initial: number) {
  let state = initial >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number): Buffer => {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = int(256);
    return out;
  };
  return { next, int, pick, bytes };
}
type Rng = ReturnType<typeof prng>;

const models = ["gpt", "claude", "embed", "nope", ""];
const validChat = (model: string) => ({ model, messages: [{ role: "user", content: "hello" }] });

/** Values of every JSON type, and some hostile ones, to put where a field belongs. */
function oddValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 12)) {
    case 0:
      return null;
    case 1:
      return rng.pick([true, false]);
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
    case 3:
      return "";
    case 4:
      return "x".repeat(rng.int(3000));
    case 5:
      return rng.pick([
        "\u0000",
        "\ud800",
        "💥".repeat(50),
        "<script>",
        "../../etc/passwd",
        "%00",
        "\r\nX-Injected: 1",
      ]);
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return rng.pick(["user", "assistant", "system", "tool", "developer", "function"]);
    case 9:
      return [oddValue(rng, depth + 1), oddValue(rng, depth + 1)];
    case 10:
      return { role: oddValue(rng, depth + 1), content: oddValue(rng, depth + 1) };
    default:
      return {
        [rng.pick(["type", "function", "name", "__proto__", "constructor"])]: oddValue(rng, depth + 1),
      };
  }
}

const chatFields = [
  "model",
  "messages",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "response_format",
  "user",
  "parallel_tool_calls",
];
const messageFields = ["role", "content", "tool_calls", "tool_call_id", "name"];
const embeddingFields = ["model", "input", "dimensions", "encoding_format"];

function deepNesting(rng: Rng): string {
  const depth = rng.pick([100, 1000, 5000, 20_000]);
  const open = rng.pick(["[", '{"a":']);
  const close = open === "[" ? "]" : "}";
  const inner = `${open.repeat(depth)}1${close.repeat(depth)}`;
  return rng.pick([
    inner,
    `{"model":"gpt","messages":[{"role":"user","content":${inner}}]}`,
    `{"model":"claude","messages":[{"role":"user","content":"x"}],"tools":${inner}}`,
    `{"model":"embed","input":${inner}}`,
  ]);
}

type HttpCase = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
};

function httpCase(rng: Rng): HttpCase {
  const auth = { authorization: "Bearer sk-fuzz", "content-type": "application/json" };
  const path = rng.pick(["/v1/chat/completions", "/v1/chat/completions", "/v1/embeddings"]);
  const post = (body: Buffer | string, headers: Record<string, string> = auth): HttpCase => ({
    method: "POST",
    path,
    headers,
    body,
  });
  switch (rng.int(12)) {
    case 0:
      return post(rng.bytes(rng.int(2000)));
    case 1: {
      const json = JSON.stringify(
        path === "/v1/embeddings"
          ? { model: "embed", input: ["a", "b"] }
          : { ...validChat(rng.pick(models)), tools: [{ type: "function", function: { name: "f" } }] },
      );
      return post(json.slice(0, rng.int(json.length)));
    }
    case 2:
      return post(deepNesting(rng));
    case 3: {
      // One field of a valid request with a wrong (or odd) type.
      if (path === "/v1/embeddings") {
        const body: Record<string, unknown> = { model: "embed", input: "hello" };
        body[rng.pick(embeddingFields)] = oddValue(rng);
        return post(JSON.stringify(body));
      }
      const body: Record<string, unknown> = validChat(rng.pick(["gpt", "claude"]));
      body[rng.pick(chatFields)] = oddValue(rng);
      return post(JSON.stringify(body));
    }
    case 4: {
      const message: Record<string, unknown> = {
        role: rng.pick(["user", "assistant", "tool", "system"]),
        content: "hi",
      };
      message[rng.pick(messageFields)] = oddValue(rng);
      const body = {
        model: rng.pick(["gpt", "claude"]),
        messages: [message, oddValue(rng)].slice(0, 1 + rng.int(2)),
      };
      return post(JSON.stringify(body));
    }
    case 5: {
      // A string just under or just over the body limit.
      const overhead = 80;
      const size = rng.pick([maxBodyBytes - overhead - 10, maxBodyBytes + 1, maxBodyBytes * 2]);
      return post(JSON.stringify({ model: "gpt", messages: [{ role: "user", content: "y".repeat(size) }] }));
    }
    case 6:
      return post(JSON.stringify(validChat(rng.pick(models))), {
        authorization: "Bearer sk-fuzz",
        "content-type": rng.pick([
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/json; charset=utf-16",
          "",
          "*/*",
        ]),
      });
    case 7: {
      const method = rng.pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "POST"]);
      const target = rng.pick([
        "/",
        "/v1",
        "/v1/",
        "/v1/chat/completions/",
        "/V1/CHAT/COMPLETIONS",
        "/v1/models/gpt",
        "/v1/chat/completions?stream=true",
        "/v1/../v1/chat/completions",
        "/%2e%2e/%2e%2e/etc/passwd",
        `/${"a".repeat(5000)}`,
        "/v1/embeddings%00",
        "/healthz?x=1",
        "/metrics/x",
      ]);
      return {
        method,
        path: target,
        headers: auth,
        ...(method === "GET" || method === "HEAD" ? {} : { body: JSON.stringify(validChat("gpt")) }),
      };
    }
    case 8: {
      // Invalid UTF-8 inside a JSON string.
      const head = Buffer.from('{"model":"gpt","messages":[{"role":"user","content":"');
      const tail = Buffer.from('"}]}');
      return post(Buffer.concat([head, rng.bytes(1 + rng.int(50)).map((b) => b | 0x80), tail]));
    }
    case 9: {
      const authorization = rng.pick([
        "",
        "Bearer",
        "Bearer ",
        "bearer sk-fuzz",
        "Basic c2stZnV6ejo=",
        "Bearer sk-nope",
        `Bearer ${"k".repeat(4000)}`,
        "Bearer sk-fuzz extra",
        "Token sk-fuzz",
        "Bearer\tsk-fuzz",
      ]);
      return post(JSON.stringify(validChat(rng.pick(models))), {
        "content-type": "application/json",
        ...(authorization === "" ? {} : { authorization }),
      });
    }
    case 10:
      return post(
        rng.pick([
          "",
          "null",
          "[]",
          '"string"',
          "42",
          "true",
          "{}",
          '{"model":"gpt"}',
          '{"messages":[]}',
          '{"model":"gpt","messages":[]}',
          '{"model":"gpt","messages":[null]}',
          '{"model":"gpt","messages":[{}]}',
          '{"model":"gpt","messages":{"0":{"role":"user"}}}',
          '{"__proto__":{"model":"gpt"},"messages":[{"role":"user","content":"x"}]}',
          '{"model":"gpt","model":"claude","messages":[{"role":"user","content":"x"}]}',
        ]),
      );
    default: {
      // A valid request, so that the fuzz also runs next to real traffic.
      if (path === "/v1/embeddings") return post(JSON.stringify({ model: "embed", input: "hello" }));
      return post(JSON.stringify({ ...validChat(rng.pick(["gpt", "claude"])), stream: rng.next() < 0.5 }));
    }
  }
}

/** Requests that only a raw socket can send: broken HTTP itself. */
function rawCase(rng: Rng): Buffer {
  const body = JSON.stringify(validChat("gpt"));
  const good = (extra = "") =>
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-fuzz\r\n${extra}connection: close\r\n`;
  switch (rng.int(8)) {
    case 0:
      return Buffer.concat([rng.bytes(1 + rng.int(500)), Buffer.from("\r\n\r\n")]);
    case 1:
      return Buffer.from(`${rng.pick(["GE T", "FOO", "P0ST", "🚀"])} /v1/models HTTP/1.1\r\nhost: x\r\n\r\n`);
    case 2:
      return Buffer.from(`${good("bad header line without colon\r\n")}\r\n`);
    case 3:
      return Buffer.from(`${good("transfer-encoding: chunked\r\n")}\r\nzz\r\n${body}\r\n0\r\n\r\n`);
    case 4:
      return Buffer.from(`${good(`x-big: ${"h".repeat(20_000)}\r\n`)}\r\n`);
    case 5:
      // Authorization with bytes that are not ASCII.
      return Buffer.concat([
        Buffer.from("GET /v1/models HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer "),
        rng.bytes(20).map((b) => (b === 10 || b === 13 ? 0x41 : b) | 0x80),
        Buffer.from("\r\n\r\n"),
      ]);
    case 6:
      return Buffer.from(
        `${good(`content-length: ${rng.pick(["-1", "abc", "1e3", "99999999999999999999"])}\r\n`)}\r\n${body}`,
      );
    default:
      return Buffer.from(
        `${good(`content-length: ${body.length}\r\ncontent-length: ${body.length + 5}\r\n`)}\r\n${body}`,
      );
  }
}

type Answer = { status: number; contentType: string | null; body: string };

async function sendHttp(c: HttpCase): Promise<Answer> {
  const res = await fetch(`${proxyUrl}${c.path}`, {
    method: c.method,
    headers: c.headers,
    ...(c.body === undefined ? {} : { body: c.body }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, contentType: res.headers.get("content-type"), body: await res.text() };
}

/** Writes `bytes` on a fresh connection and reads whatever comes back until it closes (bounded). */
function sendRaw(bytes: Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("close", done);
    socket.on("error", done);
    socket.write(bytes, () => {});
  });
}

let failures: string[] = [];

function checkAnswer(what: string, answer: Answer, method = "POST"): void {
  if (answer.status >= 500) {
    failures.push(`${what}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
    return;
  }
  // A HEAD answer has no body, by HTTP's rules.
  if (answer.status < 400 || method === "HEAD") return;
  if (!answer.contentType?.startsWith("application/json")) {
    failures.push(`${what}: error without a JSON body (${answer.contentType})`);
    return;
  }
  try {
    const parsed = JSON.parse(answer.body) as { error?: { message?: unknown; type?: unknown } };
    if (typeof parsed.error?.message !== "string" || typeof parsed.error.type !== "string") {
      failures.push(`${what}: error not in the OpenAI shape: ${answer.body.slice(0, 300)}`);
    }
  } catch {
    failures.push(`${what}: error body is not JSON: ${answer.body.slice(0, 300)}`);
  }
}

/** A raw HTTP/1.1 response as status, content type and body. */
function parseRaw(text: string): Answer | null {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const head = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0] ?? "")?.[1]);
  const contentType =
    head
      .find((h) => h.toLowerCase().startsWith("content-type:"))
      ?.slice(13)
      .trim() ?? null;
  return { status, contentType, body: Buffer.from(text.slice(end + 4), "latin1").toString("utf8") };
}

function buildConfig(mockUrl: string): GatewayConfig {
  return gatewayConfig({
    keys: [testKey({ id: "k_fuzz", secrets: [{ secret: "sk-fuzz" }] })],
    providers: [
      testProvider({ id: "prov_openai", baseUrl: `${mockUrl}/v1` }),
      testProvider({ id: "prov_anthropic", name: "claude", kind: "anthropic", baseUrl: mockUrl }),
    ],
    models: [
      testModel({ name: "gpt", deployments: [{ id: "d1", providerId: "prov_openai" }] }),
      testModel({
        name: "claude",
        deployments: [{ id: "d2", providerId: "prov_anthropic", upstreamModel: "mock-claude" }],
      }),
      testModel({
        name: "embed",
        kind: "embedding",
        deployments: [{ id: "d3", providerId: "prov_openai", upstreamModel: "mock-embed" }],
      }),
    ],
  });
}

beforeAll(async () => {
  mock = createMockProvider({ knobs: { completionTokens: 4 } });
  const { url: mockUrl } = await mock.listen();
  controlPlane = createFakeControlPlane({ token, holdMs: 1000 });
  const cpUrl = await controlPlane.listen();
  controlPlane.publish(buildConfig(mockUrl));
  proxy = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath: null,
    maxBodyBytes,
    logger: silentLogger,
    pollBackoff: { initialMs: 50, maxMs: 200 },
  });
  ({ url: proxyUrl, port } = await proxy.listen(0));
  await vi.waitFor(() => expect(proxy.configStore.version).toBe(1), { timeout: 5000 });
});

afterAll(async () => {
  await proxy?.close();
  await controlPlane?.close();
  await mock?.close();
});

describe("fuzzing the proxy with bad input", () => {
  beforeEach(() => {
    failures = [];
  });

  it(`answers ${httpCases} malformed HTTP requests with 4xx in the OpenAI shape, never 5xx`, {
    timeout: 120_000,
  }, async () => {
    const rng = prng(seed);
    const cases = Array.from({ length: httpCases }, () => httpCase(rng));
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const index = next++;
        const c = cases[index]!;
        const what = `case ${index} (${c.method} ${c.path.slice(0, 60)})`;
        try {
          const answer = await sendHttp(c);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          checkAnswer(what, answer, c.method);
        } catch (err) {
          // Only an over-limit body may be cut off by the proxy while it is still being sent.
          const big = typeof c.body !== "undefined" && Buffer.byteLength(c.body) > maxBodyBytes;
          if (!big) failures.push(`${what}: request failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(failures).toEqual([]);
    // The run exercised refusals of every kind, and real successes.
    for (const status of [200, 400, 401, 404, 413]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
  });

  it(`answers ${rawCases} requests of broken HTTP with a 4xx or a closed connection`, {
    timeout: 120_000,
  }, async () => {
    const rng = prng(seed + 1);
    let answered = 0;
    for (let i = 0; i < rawCases; i += concurrency) {
      const batch = Array.from({ length: Math.min(concurrency, rawCases - i) }, () => rawCase(rng));
      const texts = await Promise.all(batch.map((bytes) => sendRaw(bytes)));
      texts.forEach((text, j) => {
        if (text.length === 0) return; // closed without an answer: allowed for garbage
        const answer = parseRaw(text);
        if (answer === null || !Number.isInteger(answer.status)) {
          failures.push(`raw ${i + j}: unparseable answer ${JSON.stringify(text.slice(0, 200))}`);
          return;
        }
        answered++;
        checkAnswer(`raw ${i + j}`, answer);
      });
    }
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(rawCases / 2);
  });

  it("keeps serving while slow-loris connections hold partial requests", { timeout: 30_000 }, async () => {
    const rng = prng(seed + 2);
    const sockets = Array.from({ length: 50 }, (_, i) => {
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => {});
      const body = JSON.stringify(validChat("gpt"));
      const partial =
        i % 2 === 0
          ? "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bear"
          : `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-fuzz\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, rng.int(body.length))}`;
      socket.write(partial);
      return socket;
    });
    // While they dangle, real requests are answered at once.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-fuzz", "content-type": "application/json" },
        body: JSON.stringify(validChat("gpt")),
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    for (const socket of sockets) socket.destroy();
  });

  it("is still healthy at the end, and never answered 500", async () => {
    const health = await fetch(`${proxyUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${proxyUrl}/metrics`)).text();
    expect(metrics).not.toMatch(/switchyard_proxy_requests_total\{[^}]*status="5\d\d"[^}]*\} [1-9]/);
    const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-fuzz", "content-type": "application/json" },
      body: JSON.stringify(validChat("claude")),
    });
    expect(res.status).toBe(200);
  });
});
