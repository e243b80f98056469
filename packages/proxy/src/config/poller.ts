/**
 * Keeps the ConfigStore current with a long-poll against the control plane:
 * `GET {CONTROL_PLANE_URL}/data-plane/v1/config?after=<version>&lineage=<id>` answers 200 with its
 * head snapshot at once when that is newer than `after`, when `lineage` is not its own (its
 * database was recreated), or when `after` is above its head (its database was restored from a
 * backup); otherwise it holds the request while nothing changes and answers 304.
 *
 * Every snapshot is parsed (tolerantly: what this release does not understand is skipped) and
 * compiled before it is swapped in; one that cannot be enforced is rejected and the old one stays.
 * The store is marked synced only by a 304 for the snapshot it holds or a successful swap, so
 * /healthz never claims a sync the proxy does not have. While the control plane is unreachable
 * the proxy keeps serving what it has, and retries with a capped exponential backoff.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, dataPlaneEndpoint } from "../http/undici.ts";
import { errorFields, type Logger } from "../logger.ts";
import type { ProxyMetrics } from "../metrics/metrics.ts";
import { loadSnapshot } from "./compile.ts";
import { type SnapshotWriter, snapshotFileText } from "./snapshot-file.ts";
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

/**
 * Where the poll stands in the control plane's history: the snapshot it last took, or one it
 * rejected since (polled past, so that a bad snapshot is reported once, not fetched in a loop).
 */
type Cursor = { readonly version: number; readonly lineage: string | null };

export function createConfigPoller(options: ConfigPollerOptions): ConfigPoller {
  const { store, metrics, log, writer } = options;
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 5000 };
  const pollTimeoutMs = options.pollTimeoutMs ?? 60_000;
  const config = dataPlaneEndpoint(options.controlPlaneUrl, "config");
  const headers = { authorization: `Bearer ${options.dataPlaneToken}`, accept: "application/json" };
  const agent = new Agent({ keepAliveTimeout: pollTimeoutMs, connect: { timeout: 5000 } });
  const abort = new AbortController();

  let loop: Promise<void> | null = null;
  /** null until something is loaded: versions start at 1, so "after=0" asks for whatever is current. */
  let cursor: Cursor | null = null;
  let failingSince: number | null = null;

  const held = (): Cursor | null =>
    store.current === null ? null : { version: store.current.version, lineage: store.current.lineage };
  const sameCursor = (a: Cursor | null, b: Cursor | null) =>
    a !== null && b !== null && a.version === b.version && a.lineage === b.lineage;

  function reject(asked: Cursor | null, claimed: Cursor | null, reason: string): PollOutcome {
    metrics.configReloads.inc({ result: "invalid" });
    log.error("config snapshot rejected; keeping the current one", {
      rejectedVersion: claimed?.version ?? null,
      rejectedLineage: claimed?.lineage ?? null,
      enforcedVersion: store.version,
      reason,
    });
    // Without a version to poll past, or sent again for the very position asked with, the next
    // poll would get the same answer at once: wait instead.
    if (claimed === null || sameCursor(claimed, asked)) return "failed";
    cursor = claimed;
    return "rejected";
  }

  function accept(text: string, asked: Cursor | null): PollOutcome {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return reject(asked, null, "body is not valid JSON");
    }
    const loaded = loadSnapshot(json, { dataPlaneToken: options.dataPlaneToken });
    if (!loaded.ok) {
      const { version, lineage } = loaded.claimed;
      return reject(asked, version === null ? null : { version, lineage }, loaded.reason);
    }
    const next = loaded.snapshot;
    const current = store.current;
    // The control plane answers with a version below what was asked for only when that is its
    // head: its history is behind ours (a database restored from a backup). It is the truth now.
    const behind =
      current !== null &&
      asked !== null &&
      next.lineage === current.lineage &&
      next.lineage === asked.lineage &&
      next.version < asked.version &&
      next.version <= current.version;
    if (behind) {
      log.warn("control plane's history is behind this proxy's snapshot: database restored?", {
        controlPlaneVersion: next.version,
        enforcedVersion: current.version,
        lineage: next.lineage,
      });
    } else if (current !== null && next.lineage !== current.lineage) {
      log.warn("control plane's config lineage differs from this proxy's snapshot: database recreated?", {
        controlPlaneVersion: next.version,
        controlPlaneLineage: next.lineage,
        enforcedVersion: current.version,
        enforcedLineage: current.lineage,
      });
    }
    if (!store.swap(next, "control-plane", { controlPlaneHead: behind })) {
      // The very snapshot held (or an older one from a lagging replica): nothing to take, and a
      // control plane that answers so at once would be asked again at once; wait instead.
      if (current !== null && next.version === current.version && next.lineage === current.lineage) {
        store.markSynced();
      }
      cursor = held();
      return "failed";
    }
    store.markSynced();
    cursor = { version: next.version, lineage: next.lineage };
    metrics.configReloads.inc({ result: "success" });
    writer?.write(snapshotFileText(text, options.dataPlaneToken));
    return "updated";
  }

  async function pollOnce(): Promise<PollOutcome> {
    cursor ??= held();
    const asked = cursor;
    const query = asked === null ? "after=0" : `after=${asked.version}`;
    const lineage =
      asked === null || asked.lineage === null ? "" : `&lineage=${encodeURIComponent(asked.lineage)}`;
    const res = await agent.request({
      origin: config.origin,
      path: `${config.path}?${query}${lineage}`,
      method: "GET",
      headers,
      signal: abort.signal,
      headersTimeout: pollTimeoutMs,
      bodyTimeout: pollTimeoutMs,
    });
    if (res.statusCode === 304) {
      await res.body.dump();
      // Nothing newer than what was asked for. That confirms the snapshot held only when it is
      // what was asked for, not a rejected one polled past.
      if (sameCursor(asked, held())) store.markSynced();
      return "unchanged";
    }
    if (res.statusCode === 200) return accept(await res.body.text(), asked);
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
