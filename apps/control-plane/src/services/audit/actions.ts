/**
 * The actions the log holds, for the Audit page's filter: under today's names (old names mapped,
 * each action once), including names this release does not know (written by a newer one).
 */
import { currentAuditAction } from "@switchyard/core";
import type { OpArgs } from "../op.ts";

export async function listAuditActions({ db }: Pick<OpArgs, "db">): Promise<string[]> {
  // A loose index scan would be faster at scale; the set of actions is small and cached by Postgres.
  const rows = await db.$queryRaw<{ action: string }[]>`
    WITH RECURSIVE a AS (
      (SELECT action FROM audit_log ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT action FROM audit_log WHERE action > a.action ORDER BY action LIMIT 1)
      FROM a WHERE a.action IS NOT NULL
    )
    SELECT action FROM a WHERE action IS NOT NULL`;
  return [...new Set(rows.map((r) => currentAuditAction(r.action)))].sort();
}
