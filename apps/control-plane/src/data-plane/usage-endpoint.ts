/**
 * POST /data-plane/v1/usage: usage batches from the proxies (`UsageBatch`, at least once).
 * Answers 200 `UsageBatchAnswer`: `accepted` (stored now), `duplicates` (already stored, by
 * requestId) and `rejected` (each event that is not a valid `UsageEvent`, claims a time outside the
 * window around now, names a key that does not exist, or that Postgres refused, by index, with what
 * is wrong); the valid events of a batch are stored whatever the others hold. 400 when the body is
 * not `{"events":[...]}` with 1 to 1000 entries, 413 past the size cap, 401 without the data-plane
 * token. The proxy keeps what was rejected aside and retries anything else but a 2xx.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  dataPlaneStatus,
  invalidUsageBatchMessage,
  maxUsageBatch,
  readUsageEvent,
  requestIdOf,
  type UsageBatchAnswer,
  UsageBatchEnvelope,
  type UsageEvent,
  usageBodyLimitBytes,
} from "@switchyard/core";
import type { Db } from "@switchyard/db";
import { ingestUsage } from "../services/usage/ingest.ts";
import { authorizeDataPlane, readCappedBody, sendError, sendJson } from "./http.ts";

export type UsageEndpointDeps = {
  db: Db;
  token: string;
  maxBodyBytes?: number;
  /** The clock events' times are checked against (tests). */
  now?: () => number;
};

const status = dataPlaneStatus.usage;

export function createUsageEndpoint(deps: UsageEndpointDeps) {
  const limit = deps.maxBodyBytes ?? usageBodyLimitBytes;
  const now = deps.now ?? Date.now;

  return async function handleUsage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorizeDataPlane(req, res, deps.token)) return;
    const raw = await readCappedBody(req, limit);
    if (raw === null) {
      res.setHeader("connection", "close");
      sendError(
        res,
        status.tooLarge,
        "payload_too_large",
        `The usage batch is larger than ${limit} bytes; send at most ${maxUsageBatch} events per batch.`,
      );
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      sendError(res, status.invalid, "invalid_request", 'The body is not valid JSON: send {"events":[...]}.');
      return;
    }
    const envelope = UsageBatchEnvelope.safeParse(json);
    if (!envelope.success) {
      sendError(res, status.invalid, "invalid_request", invalidUsageBatchMessage(envelope.error.issues));
      return;
    }
    const checkedAt = now();
    const valid: UsageEvent[] = [];
    const validIndex: number[] = [];
    const rejected: UsageBatchAnswer["rejected"] = [];
    for (const [index, raw] of envelope.data.events.entries()) {
      const event = readUsageEvent(raw, index, checkedAt);
      if (event.success) {
        valid.push(event.data);
        validIndex.push(index);
      } else {
        rejected.push({ index, requestId: requestIdOf(raw), message: event.message });
      }
    }
    const ingested =
      valid.length === 0 ? { accepted: 0, duplicates: 0, rejected: [] } : await ingestUsage(deps.db, valid);
    for (const refused of ingested.rejected) {
      const index = validIndex[refused.index]!;
      rejected.push({ index, requestId: valid[refused.index]!.requestId, message: refused.message });
    }
    rejected.sort((a, b) => a.index - b.index);
    const answer: UsageBatchAnswer = {
      accepted: ingested.accepted,
      duplicates: ingested.duplicates,
      rejected,
    };
    sendJson(res, status.ingested, answer);
  };
}
