/**
 * Usage ingest: writes a batch of the proxies' usage events and keeps the hourly rollups, in one
 * SQL statement (so one transaction): events are inserted with `ON CONFLICT (request_id) DO
 * NOTHING RETURNING`, and only the rows actually inserted are summed into `usage_rollup_hourly` and
 * move `api_keys.last_used_at` forward. A batch delivered twice (at-least-once) therefore counts
 * once. Money stays exact: costs are integer micro-dollars summed as bigint.
 *
 * An event Postgres refuses as data (SQLSTATE class 22: a NUL in a string, a number out of range)
 * must not hold back the rest of its batch, or the proxy would retry that batch forever: when the
 * batch statement fails that way, its events are written one by one and the refused ones are named
 * in the result instead.
 *
 * An event must be for a key that exists: the proxy records events only for the keys it
 * authenticated, so any other key id is a forged event or a foreign control plane's, and is refused
 * before anything is written (the key table is read once per batch).
 */
import { type UsageEvent, unknownUsageKeyMessage } from "@switchyard/core";
import { type Db, sqlMessageOf, sqlStateOf } from "@switchyard/db";

export type IngestResult = {
  accepted: number;
  duplicates: number;
  /** Events refused (an unknown key, or Postgres refused them), by index in the batch. */
  rejected: { index: number; message: string }[];
};

/** Postgres's deadlock and serialization failures: safe to run the statement again. */
function isRetryable(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state === "40P01" || state === "40001";
}

function isDataException(err: unknown): boolean {
  return sqlStateOf(err)?.startsWith("22") ?? false;
}

export async function ingestUsage(db: Db, events: readonly UsageEvent[]): Promise<IngestResult> {
  const keyIds = [...new Set(events.map((e) => e.keyId.toLowerCase()))];
  // Postgres prints uuids in lower case; an event may spell one in upper case.
  const known = new Set(
    (await db.apiKey.findMany({ where: { id: { in: keyIds } }, select: { id: true } })).map((k) => k.id),
  );
  const rejected: IngestResult["rejected"] = [];
  const storable: UsageEvent[] = [];
  const storableIndex: number[] = [];
  for (const [index, event] of events.entries()) {
    if (known.has(event.keyId.toLowerCase())) {
      storable.push(event);
      storableIndex.push(index);
    } else {
      rejected.push({ index, message: unknownUsageKeyMessage(event.keyId) });
    }
  }
  const stored = await storeEvents(db, storable);
  for (const refused of stored.rejected) rejected.push({ ...refused, index: storableIndex[refused.index]! });
  rejected.sort((a, b) => a.index - b.index);
  return {
    accepted: stored.accepted,
    duplicates: events.length - stored.accepted - rejected.length,
    rejected,
  };
}

/** Stores the events: the whole batch in one statement, else one by one to name those refused. */
async function storeEvents(db: Db, events: readonly UsageEvent[]): Promise<IngestResult> {
  if (events.length === 0) return { accepted: 0, duplicates: 0, rejected: [] };
  try {
    const accepted = await insertEvents(db, events);
    return { accepted, duplicates: events.length - accepted, rejected: [] };
  } catch (err) {
    if (!isDataException(err)) throw err;
  }
  let accepted = 0;
  const rejected: IngestResult["rejected"] = [];
  for (const [index, event] of events.entries()) {
    try {
      accepted += await insertEvents(db, [event]);
    } catch (err) {
      if (!isDataException(err)) throw err;
      rejected.push({ index, message: `Postgres cannot store this event: ${sqlMessageOf(err)}` });
    }
  }
  return { accepted, duplicates: events.length - accepted - rejected.length, rejected };
}

/** Inserts the events and their rollups in one statement; returns how many were new. */
async function insertEvents(db: Db, batch: readonly UsageEvent[]): Promise<number> {
  // One parameter: the batch as JSON, expanded to typed rows by Postgres.
  const events = JSON.stringify(batch);
  for (let attempt = 1; ; attempt++) {
    try {
      const rows = await db.$queryRaw<{ accepted: number }[]>`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${events}::jsonb) AS e(
            "requestId" text, "at" timestamptz, "keyId" uuid, "userId" uuid, "teamId" uuid,
            "model" text, "deploymentId" uuid, "providerId" uuid, "promptVersionId" text,
            "variant" text, "promptTokens" int, "completionTokens" int, "costMicros" bigint,
            "latencyMs" int, "ttftMs" int, "status" int, "errorCode" text, "stream" boolean,
            "moderation" jsonb
          )
        ),
        inserted AS (
          INSERT INTO usage_events (
            request_id, at, key_id, user_id, team_id, model, deployment_id, provider_id,
            prompt_version_id, variant, prompt_tokens, completion_tokens, cost_micros, latency_ms,
            ttft_ms, status, error_code, stream, moderation
          )
          SELECT "requestId", "at", "keyId", "userId", "teamId", "model", "deploymentId",
            "providerId", "promptVersionId", "variant", "promptTokens", "completionTokens",
            "costMicros", "latencyMs", "ttftMs", "status", "errorCode", "stream", "moderation"
          FROM input
          ON CONFLICT (request_id) DO NOTHING
          RETURNING at, key_id, user_id, team_id, model, prompt_tokens, completion_tokens,
            cost_micros, latency_ms, status
        ),
        rollup AS (
          INSERT INTO usage_rollup_hourly (
            hour, model, key_id, user_id, team_id, requests, errors, prompt_tokens,
            completion_tokens, cost_micros, latency_ms_sum
          )
          SELECT date_trunc('hour', at, 'UTC'), model, COALESCE(key_id::text, ''),
            COALESCE(user_id::text, ''), COALESCE(team_id::text, ''), count(*)::int,
            (count(*) FILTER (WHERE status >= 400))::int, sum(prompt_tokens)::bigint,
            sum(completion_tokens)::bigint, sum(cost_micros)::bigint, sum(latency_ms)::bigint
          FROM inserted
          GROUP BY 1, 2, 3, 4, 5
          -- A fixed lock order, so concurrent batches touching the same rows queue, not deadlock.
          ORDER BY 1, 2, 3, 4, 5
          ON CONFLICT (hour, model, key_id, user_id, team_id) DO UPDATE SET
            requests = usage_rollup_hourly.requests + EXCLUDED.requests,
            errors = usage_rollup_hourly.errors + EXCLUDED.errors,
            prompt_tokens = usage_rollup_hourly.prompt_tokens + EXCLUDED.prompt_tokens,
            completion_tokens = usage_rollup_hourly.completion_tokens + EXCLUDED.completion_tokens,
            cost_micros = usage_rollup_hourly.cost_micros + EXCLUDED.cost_micros,
            latency_ms_sum = usage_rollup_hourly.latency_ms_sum + EXCLUDED.latency_ms_sum
        ),
        last_used AS (
          UPDATE api_keys AS k
          SET last_used_at = GREATEST(k.last_used_at, u.last)
          FROM (
            SELECT key_id, max(at) AS last FROM inserted WHERE key_id IS NOT NULL GROUP BY key_id
          ) AS u
          WHERE k.id = u.key_id AND (k.last_used_at IS NULL OR k.last_used_at < u.last)
        )
        SELECT count(*)::int AS accepted FROM inserted`;
      return Number(rows[0]?.accepted ?? 0);
    } catch (err) {
      if (attempt >= 3 || !isRetryable(err)) throw err;
    }
  }
}
