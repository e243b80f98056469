/**
 * GET /data-plane/v1/config?after=<version>[&lineage=<id>][&wait=<seconds>]: the proxies' long-poll
 * for config snapshots. Answers 200 with the head snapshot at once when it is newer than `after`,
 * when `lineage` (the proxy's snapshot's) is not the head's (this database was recreated), or when
 * `after` is above the head (this database was restored from a backup: the proxy is ahead of
 * history here, and the head is the truth); otherwise holds the request until a snapshot is
 * published or `wait` runs out (304). A poll without `lineage` (a proxy that holds nothing, or
 * one of a release before lineages) is answered by version alone.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { configVersionHeader, dataPlaneStatus, readConfigPollQuery } from "@switchyard/core";
import type { Db } from "@switchyard/db";
import type { ConfigBus } from "../services/config/publish.ts";
import { latestSnapshot, lineageOf } from "../services/config/publish.ts";
import { authorizeDataPlane, sendError } from "./http.ts";

export type ConfigEndpointDeps = { db: Db; bus: ConfigBus; token: string; maxWaitSeconds: number };

type HeadSnapshot = { version: number; lineage: string | null; body: string };

export function createConfigEndpoint(deps: ConfigEndpointDeps) {
  // Many proxies ask for the same version: serialise each snapshot once.
  let cached: HeadSnapshot | null = null;

  /** The head from Postgres, not from what this replica's bus has heard of so far. */
  async function readHead(): Promise<HeadSnapshot | null> {
    const row = await latestSnapshot(deps.db);
    if (!row) return null;
    cached = { version: row.version, lineage: lineageOf(row.config), body: JSON.stringify(row.config) };
    deps.bus.notifyLocal(row.version);
    return cached;
  }

  async function head(): Promise<HeadSnapshot | null> {
    if (cached && cached.version >= deps.bus.latestVersion()) return cached;
    return readHead();
  }

  function send(res: ServerResponse, snap: HeadSnapshot): void {
    res.writeHead(dataPlaneStatus.config.snapshot, {
      "content-type": "application/json",
      "cache-control": "no-store",
      [configVersionHeader]: String(snap.version),
    });
    res.end(snap.body);
  }

  function notModified(res: ServerResponse): void {
    res.writeHead(dataPlaneStatus.config.unchanged, { "cache-control": "no-store" });
    res.end();
  }

  return async function handleConfig(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!authorizeDataPlane(req, res, deps.token)) return;
    const query = readConfigPollQuery(url.searchParams);
    if (!query.success) {
      sendError(res, dataPlaneStatus.config.invalid, "invalid_request", query.message);
      return;
    }
    const { after } = query.data;
    const lineage = query.data.lineage ?? null;
    const wait = query.data.wait ?? deps.maxWaitSeconds;

    // Ahead of this replica's bus: either the bus lags (another replica published) or the proxy
    // is ahead of this database's history. Only Postgres can tell which.
    const current = after > deps.bus.latestVersion() ? await readHead() : await head();
    if (current && ((lineage !== null && lineage !== current.lineage) || after > current.version)) {
      send(res, current);
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
    if (newer === null) return notModified(res);
    const snap = await head();
    if (!snap || snap.version <= after) return notModified(res);
    send(res, snap);
  };
}
