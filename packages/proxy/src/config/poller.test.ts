/**
 * The config long-poll end to end against the fake control plane: a snapshot from a newer control
 * plane is enforced as far as this release understands it, and /healthz claims a sync only when the
 * proxy holds what the control plane sent.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockProvider, type MockProvider } from "@switchyard/mock-provider";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProxy, type ProxyServer } from "../index.ts";
import type { Logger } from "../logger.ts";
import { createFakeControlPlane } from "../testing/fake-control-plane.ts";
import { gatewayConfig, testKey, testModel, testProvider } from "../testing/gateway-config.ts";
import { snapshotFileText } from "./snapshot-file.ts";

const token = "data-plane-token-for-poller-tests";

type Running = { close(): Promise<void> };
let running: Running[] = [];

afterEach(async () => {
  for (const r of running.reverse()) await r.close();
  running = [];
});

function recordingLogger(): { logger: Logger; lines: Array<{ message: string; fields: unknown }> } {
  const lines: Array<{ message: string; fields: unknown }> = [];
  const record = (message: string, fields?: unknown) => void lines.push({ message, fields });
  return { logger: { info: record, warn: record, error: record }, lines };
}

async function start(options: { snapshotPath?: string; holdMs?: number } = {}) {
  const controlPlane = createFakeControlPlane({ token, holdMs: options.holdMs ?? 2000 });
  const cpUrl = await controlPlane.listen();
  running.push(controlPlane);
  const log = recordingLogger();
  const proxy: ProxyServer = createProxy({
    controlPlaneUrl: cpUrl,
    dataPlaneToken: token,
    snapshotPath: options.snapshotPath ?? null,
    usageSpoolDir: null,
    logger: log.logger,
    pollBackoff: { initialMs: 50, maxMs: 200 },
  });
  const { url } = await proxy.listen(0);
  running.push(proxy);
  return { controlPlane, proxy, url, log };
}

async function health(url: string) {
  return (await (await fetch(`${url}/healthz`)).json()) as {
    configVersion: number | null;
    configSyncedSecondsAgo: number | null;
  };
}

async function chat(url: string, key: string, model: string) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 4 }),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code ?? null };
}

/** The counter's samples, as `section/reason value`. */
async function skippedSamples(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [
    ...text.matchAll(/^switchyard_proxy_config_skipped_total\{section="([^"]+)",reason="([^"]+)"\} (\d+)$/gm),
  ]
    .map(([, section, reason, value]) => `${section}/${reason} ${value}`)
    .sort();
}

describe("a snapshot from a newer control plane", () => {
  let mock: MockProvider;

  afterEach(async () => {
    await mock?.close();
  });

  it("is enforced as far as this proxy understands it; the rest is skipped and counted", async () => {
    mock = createMockProvider();
    const { url: mockUrl } = await mock.listen(0, "127.0.0.1");
    const known = gatewayConfig({ version: 3, baseUrl: `${mockUrl}/v1` });
    const newer = {
      ...known,
      // A section of a later release, and fields this one does not know on a key and a provider.
      budgets: [{ id: "b1", limitMicros: 5_000_000, period: "month" }],
      keys: [
        { ...testKey({ id: "k_live", secrets: [{ secret: "sk-live" }] }), spendCapMicros: 1000 },
        testKey({
          id: "k_revoked",
          secrets: [{ secret: "sk-revoked" }],
          revokedAt: new Date().toISOString(),
        }),
        // Malformed: a later release's hash format. It must not be accepted in any form.
        {
          ...testKey({ id: "k_malformed", secrets: [{ secret: "sk-malformed" }] }),
          hashes: [{ argon2: "$x" }],
        },
      ],
      providers: [
        { ...known.providers[0]!, region: "eu-west-1" },
        {
          ...testProvider({ id: "prov_gemini", name: "gemini", baseUrl: "https://gemini.example/v1" }),
          kind: "gemini",
        },
      ],
      models: [
        ...known.models,
        testModel({
          name: "gemini-pro",
          deployments: [{ id: "dep_gemini", providerId: "prov_gemini", upstreamModel: "gemini-pro" }],
        }),
      ],
    };
    const { controlPlane, proxy, url, log } = await start();
    controlPlane.publish(newer);
    await vi.waitFor(() => expect(proxy.configStore.version).toBe(3), { timeout: 5000 });

    expect(await chat(url, "sk-live", "gpt-test")).toEqual({ status: 200, code: null });
    expect(await chat(url, "sk-revoked", "gpt-test")).toEqual({ status: 401, code: "key_revoked" });
    expect(await chat(url, "sk-malformed", "gpt-test")).toEqual({ status: 401, code: "invalid_api_key" });
    expect((await chat(url, "sk-live", "gemini-pro")).status).toBe(404);
    const models = (await (
      await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer sk-live" } })
    ).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(["gpt-test"]);

    expect(await skippedSamples(url)).toEqual([
      "budgets/unknown_section 1",
      "keys/invalid_item 1",
      "keys/unknown_field 1",
      "models/no_deployment 1",
      "models/unknown_provider 1",
      "providers/unknown_field 1",
      "providers/unknown_kind 1",
    ]);
    const summaries = log.lines.filter((l) => l.message.startsWith("config snapshot loaded without"));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.fields).toMatchObject({
      version: 3,
      source: "control-plane",
      items: expect.arrayContaining([
        "budgets: unknown_section",
        expect.stringMatching(/^keys k_malformed: invalid_item \(hashes/),
        'providers prov_gemini: unknown_kind (provider kind "gemini")',
        "keys k_live: unknown_field (spendCapMicros)",
      ]),
    });
  });
});

describe("/healthz", () => {
  it("claims a sync only once the proxy holds what the control plane sent", async () => {
    const dir = await mkdtemp(join(tmpdir(), "proxy-poller-"));
    const snapshotPath = join(dir, "snapshot.json");
    await writeFile(snapshotPath, snapshotFileText(JSON.stringify(gatewayConfig({ version: 1 })), token));
    const { controlPlane, proxy, url } = await start({ snapshotPath, holdMs: 100 });
    // A snapshot this proxy cannot enforce (two keys share a hash): rejected, polled past.
    const bad = gatewayConfig({
      version: 2,
      keys: [
        testKey({ id: "a", secrets: [{ secret: "same" }] }),
        testKey({ id: "b", secrets: [{ secret: "same" }] }),
      ],
    });
    controlPlane.publish(bad);
    const answered = controlPlane.configRequests;
    // Several polls after the rejection, each held and answered 304 for the rejected version.
    await vi.waitFor(() => expect(controlPlane.configRequests).toBeGreaterThan(answered + 3), {
      timeout: 5000,
    });
    expect(proxy.configStore.version).toBe(1);
    expect(await health(url)).toMatchObject({ configVersion: 1, configSyncedSecondsAgo: null });

    controlPlane.publish(gatewayConfig({ version: 3 }));
    await vi.waitFor(
      async () => expect(await health(url)).toMatchObject({ configVersion: 3, configSyncedSecondsAgo: 0 }),
      {
        timeout: 5000,
      },
    );
  });
});
