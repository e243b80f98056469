/**
 * What every data-plane endpoint shares: the proxies' bearer token, JSON answers, capped bodies.
 * Paths, bodies, statuses and error shapes are the contract's (`@switchyard/core`, data-plane/contract.ts).
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type DataPlaneErrorCode, dataPlaneError, unauthenticatedError } from "@switchyard/core";

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** A refusal in the contract's shape, `{"error":{"code","message"}}`. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: DataPlaneErrorCode,
  message: string,
): void {
  sendJson(res, status, dataPlaneError(code, message));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith("Bearer ")) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * True when the request carries the data-plane token (compared in constant time); otherwise
 * answers 401, drains the body, and returns false.
 */
export function authorizeDataPlane(req: IncomingMessage, res: ServerResponse, token: string): boolean {
  if (tokenMatches(req.headers.authorization, token)) return true;
  req.resume();
  sendJson(res, 401, unauthenticatedError);
  return false;
}

/** The body, or null once it is larger than `limit` (the rest is not read). */
export async function readCappedBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
