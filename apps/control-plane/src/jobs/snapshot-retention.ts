/**
 * Snapshot retention: every interval, deletes all but the newest CONFIG_SNAPSHOTS_KEPT rows of
 * config_snapshots (services/config/retention.ts). Safe with several control-plane replicas: each
 * run is one DELETE bounded by the keep-th newest version, so two at once delete the same rows.
 */
import type { Db } from "@switchyard/db";
import { pruneSnapshots } from "../services/config/retention.ts";

export type SnapshotRetentionDeps = {
  db: Db;
  /** How many snapshots to keep, newest first (at least 1: the head is never deleted). */
  keep: number;
  /** Seconds between runs; 0 disables the job on this replica. */
  intervalSeconds: number;
  log?: (line: string) => void;
};

export type SnapshotRetentionJob = { stop(): Promise<void> };

/** Runs `pruneSnapshots` every `intervalSeconds` (0 disables it); runs never overlap. */
export function startSnapshotRetentionJob(deps: SnapshotRetentionDeps): SnapshotRetentionJob {
  if (deps.intervalSeconds <= 0) return { async stop() {} };
  const log = deps.log ?? ((line: string) => console.log(line));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  const schedule = () => {
    timer = setTimeout(tick, deps.intervalSeconds * 1000);
    timer.unref();
  };
  const tick = () => {
    running = pruneSnapshots(deps.db, deps.keep)
      .then(
        (deleted) => {
          if (deleted > 0)
            log(`[snapshot-retention] deleted ${deleted} config snapshot(s), kept the newest ${deps.keep}`);
        },
        (err: unknown) =>
          log(`[snapshot-retention] run failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        running = null;
        if (!stopped) schedule();
      });
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
