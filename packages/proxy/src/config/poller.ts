/**
 * Keeps the ConfigStore current with a long-poll against the control plane:
 * `GET {CONTROL_PLANE_URL}/data-plane/v1/config?after=<version>` answers 200 with a newer
 * GatewayConfig at once, or 304 after holding the request while nothing changes.
 * Every snapshot is validated and compiled before it is swapped in; a bad one is rejected and the
 * old one stays. While the control plane is unreachable the proxy keeps serving what it has, and
 * retries with a capped exponential backoff.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { GatewayConfig } from "@switchyard/core";
import { Agent, dataPlaneEndpoint } from "../http/undici.ts";
import { errorFields, type Logger } from "../logger.ts";
import type { ProxyMetrics } from "../metrics/metrics.ts";
import { compileSnapshot } from "./compile.ts";
import { type SnapshotWriter, summarizeIssues } from "./snapshot-file.ts";
import type { ConfigStore } from "./store.ts";

export type ConfigPollerOptions = {
  controlPlaneUrl: string;
  dataPlaneToken: string;
  store: ConfigStore;
  metrics: ProxyMetrics;
  log: Logger;
  /** Where each accepted snapshot is persisted; null to keep none. */
  writer: SnapshotWriter | null;
  /** Retry delays after a failure: from `initialMs`, doubling, up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /** Gives up on one poll after this long; must exceed the control plane's hold time (25 s). */
  pollTimeoutMs?: number;
};

export type ConfigPoller = { start(): void; stop(): Promise<void> };

/** What one poll achieved, which decides whether the next one waits. */
type PollOutcome = "updated" | "unchanged" | "rejected" | "failed";

/** The version a poll asks to be newer than while nothing is loaded: "send me anything". */
const noVersion = -1;

export function createConfigPoller(options: ConfigPollerOptions): ConfigPoller {
  const { store, metrics, log, writer } = options;
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 5000 };
  const pollTimeoutMs = options.pollTimeoutMs ?? 60_000;
  const config = dataPlaneEndpoint(options.controlPlaneUrl, "config");
  const headers = { authorization: `Bearer ${options.dataPlaneToken}`, accept: "application/json" };
  const agent = new Agent({ keepAliveTimeout: pollTimeoutMs, connect: { timeout: 5000 } });
  const abort = new AbortController();

  let loop: Promise<void> | null = null;
  /** A version the control plane sent that failed validation: polled past, reported once. */
  let rejectedVersion = noVersion;
  let failingSince: number | null = null;

  function reject(version: number | null, reason: string): PollOutcome {
    metrics.configReloads.inc({ result: "invalid" });
    if (version === null) {
      log.error("config snapshot rejected; keeping the current one", {
        reason,
        enforcedVersion: store.version,
      });
      return "failed";
    }
    if (version > rejectedVersion) {
      log.error("config snapshot rejected; keeping the current one", {
        rejectedVersion: version,
        enforcedVersion: store.version,
        reason,
      });
      rejectedVersion = version;
    }
    return "rejected";
  }

  function accept(text: string): PollOutcome {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return reject(null, "body is not valid JSON");
    }
    const claimed = (json as { version?: unknown } | null)?.version;
    const claimedVersion = typeof claimed === "number" && Number.isInteger(claimed) ? claimed : null;
    const parsed = GatewayConfig.safeParse(json);
    if (!parsed.success) return reject(claimedVersion, summarizeIssues(parsed.error));
    let compiled: ReturnType<typeof compileSnapshot>;
    try {
      compiled = compileSnapshot(parsed.data, { dataPlaneToken: options.dataPlaneToken });
    } catch (err) {
      return reject(parsed.data.version, (err as Error).message);
    }
    store.markSynced();
    if (!store.swap(compiled, "control-plane")) return "failed"; // not newer: wait before asking again
    metrics.configReloads.inc({ result: "success" });
    writer?.write(text);
    return "updated";
  }

  async function pollOnce(): Promise<PollOutcome> {
    // Versions start at 1, so "after=0" asks for whatever is current.
    const after = Math.max(store.version ?? 0, rejectedVersion);
    const res = await agent.request({
      origin: config.origin,
      path: `${config.path}?after=${after}`,
      method: "GET",
      headers,
      signal: abort.signal,
      headersTimeout: pollTimeoutMs,
      bodyTimeout: pollTimeoutMs,
    });
    if (res.statusCode === 304) {
      await res.body.dump();
      store.markSynced();
      return "unchanged";
    }
    if (res.statusCode === 200) return accept(await res.body.text());
    await res.body.dump();
    throw new Error(`control plane answered HTTP ${res.statusCode}`);
  }

  async function run(): Promise<void> {
    let delayMs = 0;
    while (!abort.signal.aborted) {
      let outcome: PollOutcome;
      try {
        outcome = await pollOnce();
        if (failingSince !== null) {
          log.info("control plane reachable again", {
            outageSeconds: Math.round((Date.now() - failingSince) / 1000),
            enforcedVersion: store.version,
          });
          failingSince = null;
        }
      } catch (err) {
        if (abort.signal.aborted) break;
        metrics.configReloads.inc({ result: "error" });
        if (failingSince === null) {
          failingSince = Date.now();
          log.warn("cannot fetch config from the control plane; serving the last good snapshot", {
            ...errorFields(err),
            enforcedVersion: store.version,
          });
        }
        outcome = "failed";
      }
      delayMs = outcome === "failed" ? Math.min(Math.max(delayMs * 2, backoff.initialMs), backoff.maxMs) : 0;
      if (delayMs > 0) {
        try {
          await sleep(delayMs, undefined, { signal: abort.signal });
        } catch {
          break; // stopped while waiting
        }
      }
    }
  }

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      abort.abort();
      await loop;
      await agent.close().catch(() => {});
    },
  };
}
