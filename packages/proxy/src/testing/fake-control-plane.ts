/**
 * A stand-in for the control plane's data-plane API, for this package's tests only. It is built
 * from the contract in `@switchyard/core` (data-plane/contract.ts) and passes the same contract
 * suite as the real endpoints (fake-control-plane.int.test.ts), so it answers what a real control
 * plane answers: the same paths, statuses, defaults, validation and `{"error":{"code","message"}}`.
 *
 * What it holds in place of a database: the config last published (`publish`), and every key and
 * provider any published config named. So `GET config` long-polls like the real one (200 at once
 * when the head is newer than `after`, when `after` is past it or the poll names another lineage;
 * otherwise held for `wait` or `holdMs` and 304); `POST usage` keeps each valid event once by
 * requestId and names in `rejected` each invalid one, one for a key no config named, or one
 * `setUsageRefusal` picks (`setUsageStatus` makes it answer another status instead); `POST alerts`
 * answers 202 (folding repeats within the dedup window), 404 for a provider no config named. Its
 * state survives `close()` and a new `listen(port)`, like a database behind a restarted control plane.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  alertBodyLimitBytes,
  alertDedupWindowMs,
  type ConfigPollQuery,
  configAnswersAtOnce,
  configVersionHeader,
  DataPlaneAlert,
  type DataPlaneAlertAnswer,
  type DataPlaneErrorCode,
  dataPlaneError,
  dataPlanePaths,
  dataPlaneStatus,
  invalidAlertMessage,
  invalidUsageBatchMessage,
  maxUsageBatch,
  readConfigPollQuery,
  readUsageEvent,
  requestIdOf,
  type UsageBatchAnswer,
  UsageBatchEnvelope,
  type UsageEvent,
  unauthenticatedError,
  unknownUsageKeyMessage,
  usageBodyLimitBytes,
} from "@switchyard/core";

type Head = { version: number; lineage: string | null; body: string };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, code: DataPlaneErrorCode, message: string): void {
  sendJson(res, status, dataPlaneError(code, message));
}

/** The body, or null once it is larger than `limit` (the rest is not read), as the real one reads it. */
async function readCappedBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
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

/** The `id` of each item of a published config's `section`, whatever else the config holds. */
function idsIn(config: Record<string, unknown>, section: string): string[] {
  const items = config[section];
  if (!Array.isArray(items)) return [];
  return items.flatMap((item) => {
    const id = (item as { id?: unknown } | null)?.id;
    return typeof id === "string" ? [id.toLowerCase()] : [];
  });
}

export function createFakeControlPlane(options: {
  token: string;
  /** The longest it holds a config poll, its cap on `wait` (the real one's CONFIG_LONG_POLL_SECONDS). */
  holdMs?: number;
}) {
  const holdMs = options.holdMs ?? 2000;
  let head: Head | null = null;
  const waiting = new Set<() => void>();
  let configRequests = 0;
  const knownKeys = new Set<string>();
  const knownProviders = new Set<string>();
  const alerts: unknown[] = [];
  const notices = new Map<string, { id: string; at: number }>();
  const usageEvents = new Map<string, UsageEvent>();
  let usagePosts = 0;
  let usageDuplicates = 0;
  let usageStatus: number = dataPlaneStatus.usage.ingested;
  let refuseUsage: (event: UsageEvent) => boolean = () => false;

  const authorized = (req: IncomingMessage) => req.headers.authorization === `Bearer ${options.token}`;

  function refuseUnauthorized(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    sendJson(res, 401, unauthenticatedError);
  }

  function sendHead(res: ServerResponse, snap: Head): void {
    res.writeHead(dataPlaneStatus.config.snapshot, {
      "content-type": "application/json",
      "cache-control": "no-store",
      [configVersionHeader]: String(snap.version),
    });
    res.end(snap.body);
  }

  function notModified(res: ServerResponse): void {
    res.writeHead(dataPlaneStatus.config.unchanged, { "cache-control": "no-store" }).end();
  }

  function handleConfig(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (!authorized(req)) {
      refuseUnauthorized(req, res);
      return;
    }
    configRequests++;
    const query = readConfigPollQuery(url.searchParams);
    if (!query.success) {
      sendError(res, dataPlaneStatus.config.invalid, "invalid_request", query.message);
      return;
    }
    const poll: ConfigPollQuery = query.data;
    const ready = (): Head | null => (head !== null && configAnswersAtOnce(head, poll) ? head : null);
    const now = ready();
    if (now !== null) {
      sendHead(res, now);
      return;
    }
    const done = () => {
      clearTimeout(timer);
      waiting.delete(wake);
    };
    const wake = () => {
      const snap = ready();
      if (snap === null) return;
      done();
      sendHead(res, snap);
    };
    const waitMs = poll.wait === undefined ? holdMs : Math.min(poll.wait * 1000, holdMs);
    const timer = setTimeout(() => {
      done();
      notModified(res);
    }, waitMs);
    waiting.add(wake);
    res.on("close", done);
  }

  async function handleUsage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    usagePosts++;
    if (!authorized(req)) return refuseUnauthorized(req, res);
    if (usageStatus !== dataPlaneStatus.usage.ingested) {
      req.resume();
      res.writeHead(usageStatus).end();
      return;
    }
    const raw = await readCappedBody(req, usageBodyLimitBytes);
    if (raw === null) {
      res.setHeader("connection", "close");
      return sendError(
        res,
        dataPlaneStatus.usage.tooLarge,
        "payload_too_large",
        `The usage batch is larger than ${usageBodyLimitBytes} bytes; send at most ${maxUsageBatch} events per batch.`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return sendError(res, 400, "invalid_request", 'The body is not valid JSON: send {"events":[...]}.');
    }
    const envelope = UsageBatchEnvelope.safeParse(json);
    if (!envelope.success) {
      return sendError(res, 400, "invalid_request", invalidUsageBatchMessage(envelope.error.issues));
    }
    const checkedAt = Date.now();
    const answer: UsageBatchAnswer = { accepted: 0, duplicates: 0, rejected: [] };
    for (const [index, raw] of envelope.data.events.entries()) {
      const event = readUsageEvent(raw, index, checkedAt);
      if (!event.success) {
        answer.rejected.push({ index, requestId: requestIdOf(raw), message: event.message });
      } else if (!knownKeys.has(event.data.keyId.toLowerCase())) {
        const message = unknownUsageKeyMessage(event.data.keyId);
        answer.rejected.push({ index, requestId: event.data.requestId, message });
      } else if (refuseUsage(event.data)) {
        const message = "Refused by this test's setUsageRefusal.";
        answer.rejected.push({ index, requestId: event.data.requestId, message });
      } else if (usageEvents.has(event.data.requestId)) {
        usageDuplicates++;
        answer.duplicates++;
      } else {
        usageEvents.set(event.data.requestId, event.data);
        answer.accepted++;
      }
    }
    sendJson(res, dataPlaneStatus.usage.ingested, answer);
  }

  async function handleAlert(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorized(req)) return refuseUnauthorized(req, res);
    const status = dataPlaneStatus.alerts;
    const raw = await readCappedBody(req, alertBodyLimitBytes);
    if (raw === null) {
      return sendError(
        res,
        status.invalid,
        "invalid_request",
        `The alert body is larger than ${alertBodyLimitBytes} bytes`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return sendError(
        res,
        status.invalid,
        "invalid_request",
        "The body is not valid JSON: send a JSON object",
      );
    }
    // Every alert the proxy sent, also those refused below: tests look at what it raised.
    alerts.push(json);
    const parsed = DataPlaneAlert.safeParse(json);
    if (!parsed.success)
      return sendError(res, status.invalid, "invalid_request", invalidAlertMessage(parsed.error.issues));
    const alert = parsed.data;
    if (!knownProviders.has(alert.providerId.toLowerCase())) {
      return sendError(
        res,
        status.unknownProvider,
        "not_found",
        `No provider ${alert.providerId}: it may have been deleted`,
      );
    }
    const noticeKey = `${alert.kind}:${alert.providerId.toLowerCase()}`;
    const now = Date.now();
    const recent = notices.get(noticeKey);
    let answer: DataPlaneAlertAnswer;
    if (recent !== undefined && now - recent.at < alertDedupWindowMs) {
      answer = { accepted: true, notificationId: recent.id, deduplicated: true };
    } else {
      const id = randomUUID();
      notices.set(noticeKey, { id, at: now });
      answer = { accepted: true, notificationId: id, deduplicated: false };
    }
    sendJson(res, status.accepted, answer);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://control-plane");
    const route =
      req.method === "GET" && url.pathname === dataPlanePaths.config
        ? Promise.resolve(handleConfig(req, res, url))
        : req.method === "POST" && url.pathname === dataPlanePaths.usage
          ? handleUsage(req, res)
          : req.method === "POST" && url.pathname === dataPlanePaths.alerts
            ? handleAlert(req, res)
            : null;
    if (route === null) {
      req.resume();
      sendError(res, 404, "not_found", `No route for ${req.method} ${url.pathname}`);
      return;
    }
    route.catch(() => {
      // The client went away mid-body: nothing left to answer.
      res.destroy();
    });
  });

  return {
    /**
     * Publishes a config (any JSON: invalid ones too) as the head; its keys and providers become
     * known for good. Held polls it answers (newer, or another lineage) are answered now.
     */
    publish(config: { version: number } & Record<string, unknown>): void {
      const lineage = typeof config.lineage === "string" ? config.lineage : null;
      head = { version: config.version, lineage, body: JSON.stringify(config) };
      for (const id of idsIn(config, "keys")) knownKeys.add(id);
      for (const id of idsIn(config, "providers")) knownProviders.add(id);
      for (const wake of [...waiting]) wake();
    },
    get configRequests() {
      return configRequests;
    },
    /** The alert bodies received (valid JSON, refused or not), oldest first. */
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
