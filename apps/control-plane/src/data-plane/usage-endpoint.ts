/**
 * POST /data-plane/v1/usage: usage batches from the proxies (`UsageBatch`, at least once).
 * Answers 200 `{ accepted, duplicates }` (duplicates: events already ingested, by requestId), 400
 * with a message naming the bad fields, 413 past the size cap, 401 without the data-plane token.
 * The proxy keeps a batch answered 400 aside and retries anything else but a 2xx.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { maxUsageBatch, UsageBatch } from "@switchyard/core";
import type { Db } from "@switchyard/db";
import { ingestUsage } from "../services/usage/ingest.ts";
import { authorizeDataPlane, readCappedBody, sendJson } from "./http.ts";

export type UsageEndpointDeps = { db: Db; token: string; maxBodyBytes?: number };

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
    const parsed = UsageBatch.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => ({ path: i.path.join("."), message: i.message }));
      const detail = issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ");
      sendJson(res, 400, {
        error: {
          code: "invalid_request",
          message: `Not a valid usage batch (${detail}). Send {"events":[UsageEvent, ...]} with 1 to ${maxUsageBatch} events.`,
          issues,
        },
      });
      return;
    }
    sendJson(res, 200, await ingestUsage(deps.db, parsed.data));
  };
}
