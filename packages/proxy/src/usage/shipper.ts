/**
 * Delivers usage events to the control plane (`POST {url}/data-plane/v1/usage`, body `UsageBatch`),
 * at least once: events are queued in memory and sent in batches of up to `batchSize` or every
 * `flushIntervalMs`. A batch that cannot be delivered (control plane down, 5xx, timeout) goes to
 * the spool on disk and is retried with backoff, oldest first, until a 2xx; while the control plane
 * is known to be down, new batches go straight to the spool. The spool is replayed on start, and
 * `close()` delivers or spools what is still queued. The control plane ingests idempotently on
 * requestId, so a batch sent twice (answer lost after it was stored) counts once. A batch the control
 * plane refuses whole (400: not a batch) is moved to the spool's `rejected/`, never retried; events
 * it names as refused in a 2xx answer (invalid, or unstorable) are written there too, with the
 * reasons, and the rest of their batch counts as delivered.
 *
 * With a spool, every event is also appended to the journal (journal.ts) as it is enqueued, in group
 * commits off the request path, and released from it once its batch is delivered, rejected or
 * spooled; on start, the journal an earlier run left (killed before it could deliver or spool its
 * queue) is turned into spool batches. A crash loses only the events of the last group commit window.
 *
 * Memory is bounded: past `maxQueuedEvents` waiting in memory, the queue is spilled to the spool.
 * Without a spool directory, undeliverable batches wait in memory up to that bound and the oldest
 * are dropped past it (counted as `dropped`), and a shutdown during an outage, or a crash, loses them.
 */
import { join } from "node:path";
import type { UsageBatchAnswer, UsageEvent } from "@switchyard/core";
import { Agent, dataPlaneEndpoint } from "../http/undici.ts";
import { errorFields, type Logger } from "../logger.ts";
import type { ProxyMetrics } from "../metrics/metrics.ts";
import { createUsageJournal, type JournalClaim, replayUsageJournal, type UsageJournal } from "./journal.ts";
import { createSpool, eventsInSpoolFile } from "./spool.ts";

export type UsageShipperOptions = {
  controlPlaneUrl: string;
  dataPlaneToken: string;
  /** Where undelivered batches wait on disk; null to keep them in memory only. */
  spoolDir: string | null;
  log: Logger;
  metrics: ProxyMetrics;
  /** Events per POST (default 500). */
  batchSize?: number;
  /** Longest an event waits in memory before its batch is sent (default 250 ms). */
  flushIntervalMs?: number;
  /** Events held in memory before the queue is spilled to disk (default 10 000). */
  maxQueuedEvents?: number;
  /** Retry delays for the backlog (default 250 ms doubling to 10 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Per POST (default 10 s). */
  requestTimeoutMs?: number;
  /** Batches posted at once while the control plane is up (default 4). */
  maxConcurrentSends?: number;
  /** Journal group-commit interval, with a spool (default 5 ms). */
  journalCommitMs?: number;
  /** Events that make a journal group commit at once, and the most a crash loses (default 64). */
  journalMaxPending?: number;
};

export type UsageShipper = {
  enqueue(event: UsageEvent): void;
  /** Opens the spool and starts replaying what an earlier run left in it. */
  start(): Promise<void>;
  /** Sends what is queued now and waits for the sends (tests, shutdown). */
  flush(): Promise<void>;
  /** Delivers or spools everything queued, and stops retrying. */
  close(): Promise<void>;
};

/** "ok" with how many of the batch's events the control plane refused (kept under rejected/). */
type PostResult = { outcome: "ok"; refused: number } | { outcome: "rejected" } | { outcome: "retry" };
const retry: PostResult = { outcome: "retry" };
type MemoryBatch = { body: string; events: number; claim: JournalClaim | null };

/** A batch's body from serialized events: the events are serialized once, when they are enqueued. */
function batchBody(events: readonly string[]): string {
  return `{"events":[${events.join(",")}]}`;
}

export function createUsageShipper(options: UsageShipperOptions): UsageShipper {
  const { log, metrics } = options;
  const endpoint = dataPlaneEndpoint(options.controlPlaneUrl, "usage");
  /** For the logs. */
  const url = endpoint.origin + endpoint.path;
  const agent = new Agent({ connect: { timeout: 5000 } });
  const headers = {
    authorization: `Bearer ${options.dataPlaneToken}`,
    "content-type": "application/json",
  };
  const batchSize = options.batchSize ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const maxQueuedEvents = options.maxQueuedEvents ?? 10_000;
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const maxConcurrentSends = options.maxConcurrentSends ?? 4;
  const spool = options.spoolDir === null ? null : createSpool(options.spoolDir);
  /** Opened by start(), after the earlier run's journal is replayed. */
  let journal: UsageJournal | null = null;

  /** Serialized events, oldest first; with a journal, in the order they were appended to it. */
  let queue: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  /** Batches waiting in memory for a retry: without a spool, or when writing to it failed. */
  const memoryBacklog: MemoryBatch[] = [];
  let memoryBacklogEvents = 0;
  let controlPlaneDown = false;
  const inflight = new Set<Promise<void>>();
  let sends = 0;
  let draining: Promise<void> | null = null;
  /** Set whenever a batch joins the backlog, so the drain loop looks again before it stops. */
  let backlogGrew = false;
  let wakeDrain: (() => void) | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;
  /** Unreadable spool entries that could not be moved to rejected/ either: skipped, not retried. */
  const unmovable = new Set<string>();
  /** Spool entries listed but not found by their listed name, each logged once. */
  const unopenable = new Set<string>();

  /** Turns the journal an earlier run left into spool batches, then journals from here on. */
  async function openJournal(spoolDir: string): Promise<void> {
    const dir = join(spoolDir, "journal");
    try {
      const replayed = await replayUsageJournal(dir, batchSize, async (lines) => {
        await spool!.write(batchBody(lines), lines.length);
        metrics.usageEvents.inc({ outcome: "spooled" }, lines.length);
      });
      if (replayed.events > 0 || replayed.skipped > 0) {
        log.warn("an earlier run stopped without delivering all its usage events; replaying them", {
          dir,
          events: replayed.events,
          unreadableLines: replayed.skipped,
        });
      }
    } catch (err) {
      // Its events stay where they are for the next start; this one serves and journals regardless.
      log.error("cannot replay the usage journal of an earlier run", { dir, ...errorFields(err) });
    }
    if (closed) return;
    journal = createUsageJournal({
      dir,
      log,
      ...(options.journalCommitMs === undefined ? {} : { commitMs: options.journalCommitMs }),
      ...(options.journalMaxPending === undefined ? {} : { maxPending: options.journalMaxPending }),
    });
    // Events enqueued before start() join the journal too, so queue and journal stay in one order.
    for (const line of queue) journal.append(line);
  }

  async function post(body: string): Promise<PostResult> {
    try {
      const res = await agent.request({
        ...endpoint,
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const text = await res.body.text();
      const status = res.statusCode;
      if (status >= 200 && status < 300) return { outcome: "ok", refused: await keepRefused(body, text) };
      if (status === 400 || status === 413 || status === 422) {
        log.error("control plane rejected a usage batch; kept under the spool's rejected/", {
          status,
          answer: text.slice(0, 500),
        });
        return { outcome: "rejected" };
      }
      if (!controlPlaneDown) log.warn("usage delivery failed; retrying", { status });
      return retry;
    } catch (err) {
      if (!controlPlaneDown) log.warn("usage delivery failed; retrying", errorFields(err));
      return retry;
    }
  }

  /**
   * Keeps the events a delivered batch's answer names as refused under rejected/, with the control
   * plane's reasons, and returns how many there were.
   */
  async function keepRefused(body: string, answerText: string): Promise<number> {
    let refused: UsageBatchAnswer["rejected"];
    try {
      refused = (JSON.parse(answerText) as Partial<UsageBatchAnswer>).rejected ?? [];
    } catch {
      return 0; // a 2xx without a readable answer: the batch was taken
    }
    if (!Array.isArray(refused) || refused.length === 0) return 0;
    log.error("control plane refused usage events; kept under the spool's rejected/", {
      events: refused.length,
      first: refused[0],
    });
    if (spool !== null) {
      const sent = (JSON.parse(body) as { events: unknown[] }).events;
      const events = refused.map((r) => sent[r.index]).filter((e) => e !== undefined);
      await spool
        .write(JSON.stringify({ events, rejected: refused }), events.length, true)
        .catch((err: unknown) => log.error("cannot keep refused usage events", errorFields(err)));
    }
    return refused.length;
  }

  function countDelivered(result: PostResult & { outcome: "ok" }, events: number): void {
    const refused = Math.min(result.refused, events);
    metrics.usageEvents.inc({ outcome: "delivered" }, events - refused);
    if (refused > 0) metrics.usageEvents.inc({ outcome: "rejected" }, refused);
  }

  function pushMemory(batch: MemoryBatch): void {
    memoryBacklog.push(batch);
    memoryBacklogEvents += batch.events;
    while (memoryBacklogEvents > maxQueuedEvents && memoryBacklog.length > 1) {
      const dropped = memoryBacklog.shift()!;
      memoryBacklogEvents -= dropped.events;
      release(dropped.claim);
      metrics.usageEvents.inc({ outcome: "dropped" }, dropped.events);
      log.error("usage backlog full; dropped the oldest batch", { events: dropped.events });
    }
    metrics.usageBacklog.set(memoryBacklog.length);
  }

  /** The batch's events are settled (delivered, rejected or spooled): the journal may let them go. */
  function release(claim: JournalClaim | null): void {
    if (claim !== null) journal?.release(claim);
  }

  /** Keeps an undelivered batch for the retry loop: on disk when there is a spool. */
  async function toBacklog(body: string, events: number, claim: JournalClaim | null): Promise<void> {
    if (spool !== null) {
      try {
        await spool.write(body, events);
        release(claim);
        metrics.usageEvents.inc({ outcome: "spooled" }, events);
        metrics.usageBacklog.inc();
      } catch (err) {
        log.error("cannot write to the usage spool; keeping the batch in memory", {
          dir: spool.dir,
          ...errorFields(err),
        });
        pushMemory({ body, events, claim });
      }
    } else {
      pushMemory({ body, events, claim });
    }
    backlogGrew = true;
    startDrain();
  }

  async function deadLetter(body: string, events: number): Promise<void> {
    metrics.usageEvents.inc({ outcome: "rejected" }, events);
    if (spool === null) return;
    await spool.write(body, events, true).catch((err: unknown) => {
      log.error("cannot keep a rejected usage batch", errorFields(err));
    });
  }

  async function send(body: string, events: number, claim: JournalClaim | null): Promise<void> {
    sends++;
    try {
      const result = await post(body);
      if (result.outcome === "ok") {
        countDelivered(result, events);
        release(claim);
      } else if (result.outcome === "rejected") {
        await deadLetter(body, events);
        release(claim);
      } else {
        if (!controlPlaneDown) log.warn("control plane unreachable; spooling usage events", { url });
        controlPlaneDown = true;
        await toBacklog(body, events, claim);
      }
    } finally {
      sends--;
    }
  }

  function track(pending: Promise<void>): void {
    inflight.add(pending);
    pending
      .catch((err: unknown) => log.error("usage delivery failed unexpectedly", errorFields(err)))
      .finally(() => {
        inflight.delete(pending);
        if (queue.length > 0 && !closed) scheduleFlush();
      });
  }

  function scheduleFlush(): void {
    if (timer !== null || closed) return;
    timer = setTimeout(flushNow, flushIntervalMs);
    timer.unref();
  }

  function takeBatch(): string[] {
    if (queue.length <= batchSize) {
      const all = queue;
      queue = [];
      return all;
    }
    return queue.splice(0, batchSize);
  }

  function flushNow(): void {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    // A batch carries only journaled events, so that its release never lets go of one still unwritten.
    journal?.commit();
    while (queue.length > 0) {
      const sendNow = !controlPlaneDown && (closed || sends < maxConcurrentSends);
      // With every send slot busy, events wait in memory, up to the bound; past it they spill to disk.
      if (!sendNow && !controlPlaneDown && queue.length < maxQueuedEvents) return;
      const events = takeBatch();
      const body = batchBody(events);
      const claim = journal === null ? null : journal.claim(events.length);
      track(sendNow ? send(body, events.length, claim) : toBacklog(body, events.length, claim));
    }
  }

  /** Delivers one backlog batch; "empty" when there is none left. */
  async function drainOne(): Promise<"empty" | "failed" | "progress"> {
    const memory = memoryBacklog[0];
    if (memory !== undefined) {
      const result = await post(memory.body);
      if (result.outcome === "retry") return "failed";
      const at = memoryBacklog.indexOf(memory);
      if (at !== -1) {
        memoryBacklog.splice(at, 1);
        memoryBacklogEvents -= memory.events;
      }
      metrics.usageBacklog.set(memoryBacklog.length);
      if (result.outcome === "ok") countDelivered(result, memory.events);
      else metrics.usageEvents.inc({ outcome: "rejected" }, memory.events);
      release(memory.claim);
      return "progress";
    }
    if (spool === null) return "empty";
    const names = (await spool.list()).filter((name) => !unmovable.has(name));
    metrics.usageBacklog.set(names.length);
    if (names.length === 0) return "empty";
    let progressed = false;
    for (const name of names) {
      if (closed) return "progress";
      const read = await spool.read(name);
      if (!read.ok && read.gone) {
        // Listed, yet not there by that name: removed meanwhile, or a name that is not UTF-8 and so
        // cannot be opened as listed. Nothing to do now; it is looked at again after a backoff.
        if (!unopenable.has(name)) {
          unopenable.add(name);
          log.warn("usage spool entry is listed but cannot be opened by its name", {
            dir: spool.dir,
            entry: name,
          });
        }
        continue;
      }
      if (!read.ok) {
        // Unreadable: no retry could ever send it.
        await rejectUnreadable(name, read.reason);
        progressed = true;
        continue;
      }
      const body = read.body;
      const result = await post(body);
      if (result.outcome === "retry") return "failed";
      const events = eventsInSpoolFile(name);
      if (result.outcome === "ok") {
        await spool.remove(name);
        countDelivered(result, events);
      } else {
        await spool.reject(name);
        metrics.usageEvents.inc({ outcome: "rejected" }, events);
      }
      metrics.usageBacklog.dec();
      progressed = true;
    }
    // A pass that changed nothing would only find the same entries again: back off as after a failure.
    return progressed ? "progress" : "failed";
  }

  /** Moves a spool entry that cannot be read to rejected/, or, if even that fails, stops looking at it. */
  async function rejectUnreadable(name: string, reason: string): Promise<void> {
    const events = eventsInSpoolFile(name);
    try {
      await spool!.reject(name);
      log.error("usage spool entry cannot be read; moved to the spool's rejected/", {
        dir: spool!.dir,
        entry: name,
        reason,
      });
    } catch (err) {
      unmovable.add(name);
      log.error("usage spool entry cannot be read nor moved to rejected/; ignoring it until restart", {
        dir: spool!.dir,
        entry: name,
        reason,
        ...errorFields(err),
      });
    }
    metrics.usageEvents.inc({ outcome: "rejected" }, events);
    metrics.usageBacklog.dec();
  }

  async function drain(): Promise<void> {
    let delayMs = backoff.initialMs;
    try {
      while (!closed) {
        backlogGrew = false;
        const result = await drainOne();
        if (result === "failed") {
          if (closed) break;
          await new Promise<void>((resolve) => {
            const sleep = setTimeout(resolve, delayMs);
            wakeDrain = () => {
              clearTimeout(sleep);
              resolve();
            };
          });
          wakeDrain = null;
          delayMs = Math.min(delayMs * 2, backoff.maxMs);
          continue;
        }
        delayMs = backoff.initialMs;
        if (result === "empty" && !backlogGrew) {
          if (controlPlaneDown) log.info("control plane reachable again; usage backlog delivered", { url });
          controlPlaneDown = false;
          break;
        }
      }
    } catch (err) {
      log.error("usage spool replay failed; retrying on the next undelivered batch", errorFields(err));
    }
    // Cleared in the same turn as the last look at the backlog, so a batch that joins it later
    // always starts a new pass.
    draining = null;
  }

  function startDrain(): void {
    if (draining === null && !closed) draining = drain();
  }

  async function settle(): Promise<void> {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  }

  return {
    enqueue(event) {
      const line = JSON.stringify(event);
      queue.push(line);
      journal?.append(line);
      if (queue.length >= batchSize) flushNow();
      else scheduleFlush();
    },
    async start() {
      if (spool === null) return;
      await spool.open();
      await openJournal(spool.dir);
      if ((await spool.list()).length > 0) startDrain();
    },
    async flush() {
      flushNow();
      await settle();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        wakeDrain?.();
        flushNow();
        await settle();
        await draining;
        await journal?.close();
        await agent.close().catch(() => {});
        if (memoryBacklogEvents > 0) {
          metrics.usageEvents.inc({ outcome: "dropped" }, memoryBacklogEvents);
          log.error("shutting down with undelivered usage events and no spool to keep them", {
            events: memoryBacklogEvents,
          });
        }
      })();
      return closing;
    },
  };
}
