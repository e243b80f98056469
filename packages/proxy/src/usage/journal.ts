/**
 * The usage journal: every usage event, serialized, appended to a file under the spool's
 * `journal/` as it is enqueued, so that a proxy killed without a graceful shutdown (kill -9, OOM, a
 * crash) still has the events of the requests it answered. Events are written in group commits: one
 * `write(2)` for everything appended since the last commit, every `commitMs` (default 5 ms) or as
 * soon as `maxPending` events (default 64) are waiting, whichever comes first (that one inside the
 * `append` of the 64th event, which is already answered: a write to the page cache, tens of µs,
 * never an fsync). The commits are fdatasync'd on the thread pool, off the event loop, at most once
 * per `commitMs`. A process crash loses only the events not yet written (at most `maxPending`,
 * and at most `commitMs` of traffic unless the event loop stalls): written data is in the kernel's
 * page cache and survives the process. A machine crash can also lose the writes of the last
 * `commitMs` or so whose fdatasync had not finished.
 *
 * The journal is a sequence of segments (newline-delimited JSON, one event a line). The shipper
 * claims the events of each batch it takes from its queue and releases them once the batch is
 * settled: delivered (2xx), moved to `rejected/`, or written to the spool as a batch file. A segment
 * whose every event is released is truncated (the active one) or deleted (a full one, rotated out
 * past `segmentBytes`). On start, segments an earlier run left are its events never confirmed
 * settled: `replayUsageJournal` turns them into spool batches, which the shipper delivers as any other.
 */
import { close, fdatasync, ftruncateSync, openSync, writeSync } from "node:fs";
import { mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { errorFields, type Logger } from "../logger.ts";

/** The default group-commit interval. */
export const defaultJournalCommitMs = 5;
/** The default most events waiting for a group commit: the most a process crash can lose. */
export const defaultJournalMaxPending = 64;
const defaultSegmentBytes = 1024 * 1024;
const segmentSuffix = ".ndjson";

export type UsageJournalOptions = {
  /** The journal's own directory (the spool's `journal/`). */
  dir: string;
  log: Logger;
  commitMs?: number;
  maxPending?: number;
  /** A segment this large is rotated out and deleted once its events are settled (default 1 MiB). */
  segmentBytes?: number;
};

type Segment = {
  path: string;
  /** Opened at its first commit. */
  fd: number | null;
  bytes: number;
  /** Events appended to it and not yet released (pending, queued, or in a batch being settled). */
  unsettled: number;
  /** No longer appended to: deleted once `unsettled` is 0. */
  retired: boolean;
  /** An fdatasync of it is running. */
  syncing: boolean;
  disposed: boolean;
};

/** Where the events of one batch are in the journal: segments and how many of the batch's events each holds. */
export type JournalClaim = readonly { segment: Segment; count: number }[];

export type UsageJournal = {
  /** Adds one serialized event (a JSON text without newlines) to the next group commit. */
  append(line: string): void;
  /** Writes what was appended since the last commit now. */
  commit(): void;
  /** The journal places of the next `count` appended events, in append order. */
  claim(count: number): JournalClaim;
  /** The claimed events are settled (delivered, rejected or spooled): their segments may go. */
  release(claim: JournalClaim): void;
  /**
   * Commits, waits for the fdatasyncs, deletes the settled segments and keeps the rest for the
   * next start's replay.
   */
  close(): Promise<void>;
};

/** Segment names sort in the order they were written, across runs. */
let segmentSeq = 0;
function segmentName(): string {
  return `${Date.now().toString().padStart(15, "0")}-${process.pid}-${(segmentSeq++).toString().padStart(8, "0")}${segmentSuffix}`;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function createUsageJournal(options: UsageJournalOptions): UsageJournal {
  const { dir, log } = options;
  const commitMs = options.commitMs ?? defaultJournalCommitMs;
  const maxPending = options.maxPending ?? defaultJournalMaxPending;
  const segmentBytes = options.segmentBytes ?? defaultSegmentBytes;

  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let active = newSegment();
  /** Appended events not yet claimed by a batch, run-length encoded by segment, oldest first. */
  const unclaimed: { segment: Segment; count: number }[] = [];
  /** Segments with a file on disk that is not yet deleted. */
  const live = new Set<Segment>();
  const settling = new Set<Promise<void>>();
  /** Segments written to since their last fdatasync began. */
  const unsynced = new Set<Segment>();
  let syncPass: Promise<void> | null = null;
  let syncTimer: NodeJS.Timeout | null = null;
  let lastSyncAt = Number.NEGATIVE_INFINITY;
  /** One log line per failure streak, not one per commit. */
  let failing = false;
  let closed = false;

  function newSegment(): Segment {
    return {
      path: join(dir, segmentName()),
      fd: null,
      bytes: 0,
      unsettled: 0,
      retired: false,
      syncing: false,
      disposed: false,
    };
  }

  function failed(what: string, err: unknown): void {
    if (!failing) {
      log.error(`cannot ${what} the usage journal; events are kept in memory only until delivered`, {
        dir,
        ...errorFields(err),
      });
    }
    failing = true;
  }

  function track(work: Promise<void>): void {
    settling.add(work);
    void work.finally(() => settling.delete(work));
  }

  /** Closes and deletes a retired segment whose events are all settled, after its last fdatasync. */
  function disposeIfDone(segment: Segment): void {
    if (!segment.retired || segment.unsettled > 0 || segment.syncing || segment.disposed) return;
    segment.disposed = true;
    live.delete(segment);
    unsynced.delete(segment);
    const fd = segment.fd;
    if (fd === null) return;
    segment.fd = null;
    track(
      new Promise<void>((resolve) => close(fd, () => resolve())).then(() =>
        unlink(segment.path).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT")
            log.warn("cannot delete a settled usage journal segment", errorFields(err));
        }),
      ),
    );
  }

  /**
   * fdatasyncs what was written, one pass at a time and at most one pass per `commitMs`: under load
   * one fdatasync covers many commits, and the disk is not asked for thousands a second.
   */
  function scheduleSync(): void {
    if (syncPass !== null || syncTimer !== null || unsynced.size === 0) return;
    const waitMs = lastSyncAt + commitMs - performance.now();
    if (waitMs > 0 && !closed) {
      syncTimer = setTimeout(() => {
        syncTimer = null;
        scheduleSync();
      }, waitMs);
      syncTimer.unref();
      return;
    }
    lastSyncAt = performance.now();
    const segments = [...unsynced].filter((segment) => segment.fd !== null);
    unsynced.clear();
    const pass = Promise.all(
      segments.map(
        (segment) =>
          new Promise<void>((resolve) => {
            segment.syncing = true;
            fdatasync(segment.fd!, (err) => {
              segment.syncing = false;
              if (err !== null) failed("fsync", err);
              disposeIfDone(segment);
              resolve();
            });
          }),
      ),
    ).then(() => {
      syncPass = null;
      scheduleSync();
    });
    syncPass = pass;
    track(pass);
  }

  function retire(segment: Segment): void {
    segment.retired = true;
    if (segment === active) active = newSegment();
    disposeIfDone(segment);
  }

  function commit(): void {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (pending.length === 0) return;
    const data = Buffer.from(`${pending.join("\n")}\n`);
    pending = [];
    const segment = active;
    try {
      if (segment.fd === null) {
        segment.fd = openSync(segment.path, "a", 0o600);
        live.add(segment);
        // The new name must survive a machine crash too, not only its contents.
        track(fsyncDir(dir).catch((err: unknown) => failed("fsync", err)));
      }
      let written = 0;
      while (written < data.length) written += writeSync(segment.fd, data, written);
      segment.bytes += data.length;
      if (failing) log.info("usage journal writable again", { dir });
      failing = false;
    } catch (err) {
      failed("write", err);
      // A half-written line must not run into the next commit's first one: start a fresh segment.
      if (segment.fd !== null) retire(segment);
      return;
    }
    unsynced.add(segment);
    scheduleSync();
    if (segment.bytes >= segmentBytes) retire(segment);
  }

  return {
    append(line) {
      if (closed) return;
      pending.push(line);
      active.unsettled++;
      const last = unclaimed[unclaimed.length - 1];
      if (last !== undefined && last.segment === active) last.count++;
      else unclaimed.push({ segment: active, count: 1 });
      if (pending.length >= maxPending) commit();
      else if (timer === null) {
        timer = setTimeout(commit, commitMs);
        timer.unref();
      }
    },
    commit,
    claim(count) {
      const claim: { segment: Segment; count: number }[] = [];
      let left = count;
      while (left > 0) {
        const head = unclaimed[0];
        if (head === undefined) break;
        const take = Math.min(left, head.count);
        claim.push({ segment: head.segment, count: take });
        head.count -= take;
        left -= take;
        if (head.count === 0) unclaimed.shift();
      }
      return claim;
    },
    release(claim) {
      for (const { segment, count } of claim) {
        segment.unsettled -= count;
        if (segment.unsettled > 0) continue;
        if (segment.retired) disposeIfDone(segment);
        else if (segment.fd !== null && segment.bytes > 0) {
          // Everything written to it is settled, and nothing is pending (pending events count as
          // unsettled): it can start over empty.
          try {
            ftruncateSync(segment.fd, 0);
            segment.bytes = 0;
          } catch (err) {
            failed("truncate", err);
            retire(segment);
          }
        }
      }
    },
    async close() {
      if (closed) return;
      commit();
      closed = true;
      retire(active);
      if (syncTimer !== null) {
        clearTimeout(syncTimer);
        syncTimer = null;
      }
      scheduleSync();
      while (settling.size > 0) await Promise.allSettled([...settling]);
      // What is left holds events not yet settled: its file stays for the next start's replay.
      for (const segment of live) {
        if (segment.fd !== null) {
          const fd = segment.fd;
          segment.fd = null;
          await new Promise<void>((resolve) => close(fd, () => resolve()));
        }
      }
      live.clear();
    },
  };
}

/**
 * Hands the events that segments of an earlier run hold to `keep` (in order, whole lines only, in
 * chunks of at most `chunkSize`), and deletes each segment once `keep` has stored its events. A line
 * that is not JSON (cut by a machine crash mid-write) is skipped and counted.
 */
export async function replayUsageJournal(
  dir: string,
  chunkSize: number,
  keep: (lines: string[]) => Promise<void>,
): Promise<{ events: number; skipped: number }> {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir)).filter((name) => name.endsWith(segmentSuffix)).sort();
  let events = 0;
  let skipped = 0;
  for (const name of names) {
    const path = join(dir, name);
    const lines: string[] = [];
    for (const line of (await readFile(path, "utf8")).split("\n")) {
      if (line === "") continue;
      try {
        JSON.parse(line);
        lines.push(line);
      } catch {
        skipped++;
      }
    }
    for (let at = 0; at < lines.length; at += chunkSize) await keep(lines.slice(at, at + chunkSize));
    events += lines.length;
    await unlink(path);
  }
  if (names.length > 0) await fsyncDir(dir);
  return { events, skipped };
}
