/**
 * A stand-in for the control plane's data-plane config endpoint, for this package's tests only:
 * `GET /data-plane/v1/config?after=<v>` answers the published config at once when its version is
 * newer than `after`, otherwise holds the request (`holdMs`) and answers 304, as the real one does.
 * `POST /data-plane/v1/alerts` records the alerts a proxy raises (credential fallbacks).
 * `POST /data-plane/v1/usage` answers as the real one does: 400 for a body that is not a batch,
 * else each valid event kept once by requestId (the real ingest's `ON CONFLICT (request_id) DO
 * NOTHING`) and each invalid one, or one `refuseUsage` picks, named in `rejected`; `usageStatus`
 * makes it answer another status instead. Its state survives `close()` and a new `listen(port)`,
 * like a database behind a restarted control plane.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type UsageBatchAnswer, UsageEvent } from "@switchyard/core";

export function createFakeControlPlane(options: { token: string; holdMs?: number }) {
  const holdMs = options.holdMs ?? 2000;
  let body: string | null = null;
  let version = Number.NEGATIVE_INFINITY;
  const waiting = new Set<() => void>();
  let configRequests = 0;
  const alerts: unknown[] = [];
  const usageEvents = new Map<string, UsageEvent>();
  let usagePosts = 0;
  let usageDuplicates = 0;
  let usageStatus = 200;
  let refuseUsage: (event: UsageEvent) => boolean = () => false;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://control-plane");
    if (req.method === "POST" && url.pathname === "/data-plane/v1/alerts") {
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        req.resume();
        res.writeHead(401).end();
        return;
      }
      let text = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        text += chunk;
      });
      req.on("end", () => {
        alerts.push(JSON.parse(text));
        res.writeHead(204).end();
      });
      return;
    }
    if (req.method === "POST" && url.pathname === "/data-plane/v1/usage") {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        usagePosts++;
        if (req.headers.authorization !== `Bearer ${options.token}`) {
          res.writeHead(401).end();
          return;
        }
        if (usageStatus !== 200) {
          res.writeHead(usageStatus).end();
          return;
        }
        let batch: { events?: unknown };
        try {
          batch = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { events?: unknown };
        } catch {
          res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid JSON"}');
          return;
        }
        if (!Array.isArray(batch?.events) || batch.events.length === 0) {
          res.writeHead(400, { "content-type": "application/json" }).end('{"error":"not a batch"}');
          return;
        }
        const answer: UsageBatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
        for (const [index, raw] of (batch.events as unknown[]).entries()) {
          const parsed = UsageEvent.safeParse(raw);
          if (!parsed.success || refuseUsage(parsed.data)) {
            const requestId = (raw as { requestId?: string }).requestId ?? null;
            answer.rejected.push({ index, requestId, message: parsed.error?.message ?? "refused" });
          } else if (usageEvents.has(parsed.data.requestId)) {
            usageDuplicates++;
            answer.duplicates++;
          } else {
            usageEvents.set(parsed.data.requestId, parsed.data);
            answer.accepted++;
          }
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      });
      return;
    }
    if (req.method !== "GET" || url.pathname !== "/data-plane/v1/config") {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
      return;
    }
    configRequests++;
    const after = Number(url.searchParams.get("after") ?? "-1");
    const send = (out: ServerResponse) => {
      out.writeHead(200, { "content-type": "application/json" });
      out.end(body);
    };
    if (body !== null && version > after) {
      send(res);
      return;
    }
    const done = () => {
      clearTimeout(timer);
      waiting.delete(wake);
    };
    const wake = () => {
      if (body === null || version <= after) return;
      done();
      send(res);
    };
    const timer = setTimeout(() => {
      done();
      res.writeHead(304).end();
    }, holdMs);
    waiting.add(wake);
    res.on("close", done);
  });

  return {
    /** Publishes a config (any JSON: invalid ones too); held polls that it is newer for answer now. */
    publish(config: { version: number } & Record<string, unknown>): void {
      body = JSON.stringify(config);
      version = config.version;
      for (const wake of [...waiting]) wake();
    },
    get configRequests() {
      return configRequests;
    },
    /** The alert bodies received, oldest first. */
    get alerts(): readonly unknown[] {
      return alerts;
    },
    /** Usage events received, once each, by requestId. */
    get usageEvents(): ReadonlyMap<string, UsageEvent> {
      return usageEvents;
    },
    /** Usage POSTs received, and events in them that had arrived before (at-least-once resends). */
    get usageStats() {
      return { posts: usagePosts, duplicates: usageDuplicates };
    },
    /** Answers usage POSTs with this status instead of ingesting them (200 = ingest). */
    setUsageStatus(status: number): void {
      usageStatus = status;
    },
    /** Names the usage events it picks as refused in its answers instead of keeping them. */
    setUsageRefusal(refuse: (event: UsageEvent) => boolean): void {
      refuseUsage = refuse;
    },
    /** Listens on `port` (default: any free one), again after a `close()` if need be. */
    async listen(port = 0): Promise<string> {
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
