/**
 * GET /data-plane/v1/config?after=<version>[&wait=<seconds>]: the proxies' long-poll for
 * config snapshots. Answers 200 with the newest snapshot at once when it is newer than `after`,
 * otherwise holds the request until one is published or `wait` runs out (304).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@switchyard/db";
import type { ConfigBus } from "../services/config/publish.ts";
import { latestSnapshot } from "../services/config/publish.ts";
import { authorizeDataPlane, sendJson } from "./http.ts";

export type ConfigEndpointDeps = { db: Db; bus: ConfigBus; token: string; maxWaitSeconds: number };

export function createConfigEndpoint(deps: ConfigEndpointDeps) {
  // Many proxies ask for the same version: serialise each snapshot once.
  let cached: { version: number; body: string } | null = null;

  async function snapshotBody(): Promise<{ version: number; body: string } | null> {
    const latest = deps.bus.latestVersion();
    if (cached && cached.version >= latest) return cached;
    const row = await latestSnapshot(deps.db);
    if (!row) return null;
    cached = { version: row.version, body: JSON.stringify(row.config) };
    return cached;
  }

  return async function handleConfig(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!authorizeDataPlane(req, res, deps.token)) return;
    const afterRaw = url.searchParams.get("after") ?? "0";
    const waitRaw = url.searchParams.get("wait");
    const after = Number(afterRaw);
    const wait = waitRaw === null ? deps.maxWaitSeconds : Number(waitRaw);
    if (!Number.isInteger(after) || after < 0) {
      sendJson(res, 400, {
        error: { code: "invalid_request", message: "after must be a non-negative integer version" },
      });
      return;
    }
    if (!Number.isFinite(wait) || wait < 0) {
      sendJson(res, 400, {
        error: { code: "invalid_request", message: "wait must be a number of seconds >= 0" },
      });
      return;
    }
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const newer = await deps.bus.waitForNewer(
      after,
      Math.min(wait, deps.maxWaitSeconds) * 1000,
      abort.signal,
    );
    if (abort.signal.aborted) return;
    if (newer === null) {
      res.writeHead(304, { "cache-control": "no-store" });
      res.end();
      return;
    }
    const snap = await snapshotBody();
    if (!snap || snap.version <= after) {
      res.writeHead(304, { "cache-control": "no-store" });
      res.end();
      return;
    }
    res.writeHead(200, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-config-version": String(snap.version),
    });
    res.end(snap.body);
  };
}
