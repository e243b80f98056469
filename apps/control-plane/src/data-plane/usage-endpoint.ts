/**
 * POST /data-plane/v1/usage: usage batches from the proxies (`UsageBatch`, at least once).
 * Answers 200 `UsageBatchAnswer`: `accepted` (stored now), `duplicates` (already stored, by
 * requestId) and `rejected` (each event that is not a valid `UsageEvent` or that Postgres refused,
 * by index, with what is wrong); the valid events of a batch are stored whatever the others hold.
 * 400 when the body is not `{"events":[...]}` with 1 to 1000 entries, 413 past the size cap, 401
 * without the data-plane token. The proxy keeps what was rejected aside and retries anything else
 * but a 2xx.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { maxUsageBatch, type UsageBatchAnswer, UsageEvent } from "@switchyard/core";
import type { Db } from "@switchyard/db";
import { z } from "zod";
import { ingestUsage } from "../services/usage/ingest.ts";
import { authorizeDataPlane, readCappedBody, sendJson } from "./http.ts";

export type UsageEndpointDeps = { db: Db; token: string; maxBodyBytes?: number };

const Envelope = z.object({ events: z.array(z.unknown()).min(1).max(maxUsageBatch) });

function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter((p) => p !== "").join(".");
      return path === "" ? i.message : `${path}: ${i.message}`;
    })
    .join("; ");
}

/** A full batch of large events fits well within it. */
export const defaultUsageBodyLimit = 8 * 1024 * 1024;

export function createUsageEndpoint(deps: UsageEndpointDeps) {
  const limit = deps.maxBodyBytes ?? defaultUsageBodyLimit;

  return async function handleUsage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorizeDataPlane(req, res, deps.token)) return;
    const raw = await readCappedBody(req, limit);
    if (raw === null) {
      res.setHeader("connection", "close");
      sendJson(res, 413, {
        error: {
          code: "payload_too_large",
          message: `The usage batch is larger than ${limit} bytes; send at most ${maxUsageBatch} events per batch.`,
        },
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      sendJson(res, 400, {
        error: { code: "invalid_request", message: 'The body is not valid JSON: send {"events":[...]}.' },
      });
      return;
    }
    const envelope = Envelope.safeParse(json);
    if (!envelope.success) {
      sendJson(res, 400, {
        error: {
          code: "invalid_request",
          message: `Not a usage batch (${describeIssues(envelope.error.issues, "")}). Send {"events":[UsageEvent, ...]} with 1 to ${maxUsageBatch} events.`,
        },
      });
      return;
    }
    const valid: UsageEvent[] = [];
    const validIndex: number[] = [];
    const rejected: UsageBatchAnswer["rejected"] = [];
    for (const [index, raw] of envelope.data.events.entries()) {
      const event = UsageEvent.safeParse(raw);
      if (event.success) {
        valid.push(event.data);
        validIndex.push(index);
      } else {
        rejected.push({
          index,
          requestId: requestIdOf(raw),
          message: `Not a valid usage event: ${describeIssues(event.error.issues, `events.${index}`)}.`,
        });
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
    sendJson(res, 200, answer);
  };
}

function requestIdOf(raw: unknown): string | null {
  const id = (raw as { requestId?: unknown } | null)?.requestId;
  return typeof id === "string" ? id.slice(0, 128) : null;
}
