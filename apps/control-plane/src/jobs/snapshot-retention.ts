/**
 * Snapshot retention: every interval, deletes all but the newest CONFIG_SNAPSHOTS_KEPT rows of
 * config_snapshots (services/config/retention.ts), on the scheduler. Each run is one DELETE bounded
 * by the keep-th newest version, so even two at once would delete the same rows.
 */
import type { Db } from "@switchyard/db";
import { log } from "../log.ts";
import { pruneSnapshots } from "../services/config/retention.ts";
import type { Job } from "./scheduler.ts";

export type SnapshotRetentionDeps = {
  db: Db;
  /** How many snapshots to keep, newest first (at least 1: the head is never deleted). */
  keep: number;
  /** Seconds between runs; 0 turns the job off on this replica. */
  intervalSeconds: number;
};

export function snapshotRetentionJob(deps: SnapshotRetentionDeps): Job {
  return {
    name: "snapshot-retention",
    description: `Deletes config snapshots beyond the newest ${deps.keep}; never the one proxies enforce.`,
    intervalSeconds: deps.intervalSeconds,
    async run() {
      const deleted = await pruneSnapshots(deps.db, deps.keep);
      if (deleted > 0)
        log.info({ job: "snapshot-retention", deleted, kept: deps.keep }, "deleted old config snapshots");
      return undefined;
    },
  };
}
