/**
 * Retention of stored snapshots: every row of config_snapshots holds every sealed provider
 * credential of its time, so old ones are deleted, keeping the newest `keep`. The head (the
 * highest version, which proxies are served) is always among them.
 */
import type { Db } from "@switchyard/db";

/** Deletes all but the newest `keep` snapshots (at least 1); returns how many it deleted. */
export async function pruneSnapshots(db: Db, keep: number): Promise<number> {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(`snapshot retention must keep at least the head snapshot (keep=${keep})`);
  }
  // Below the keep-th newest version; with fewer rows than that the bound is NULL and nothing
  // goes. A snapshot committed meanwhile is newer than the bound, so it is never touched.
  return db.$executeRaw`
    DELETE FROM config_snapshots
    WHERE version < (SELECT version FROM config_snapshots ORDER BY version DESC OFFSET ${keep - 1} LIMIT 1)`;
}
