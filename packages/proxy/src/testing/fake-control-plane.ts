/**
 * A stand-in for the control plane's data-plane config endpoint, for this package's tests only:
 * `GET /data-plane/v1/config?after=<v>` answers the published config at once when its version is
 * newer than `after`, otherwise holds the request (`holdMs`) and answers 304, as the real one does.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export function createFakeControlPlane(options: { token: string; holdMs?: number }) {
  const holdMs = options.holdMs ?? 2000;
  let body: string | null = null;
  let version = Number.NEGATIVE_INFINITY;
  const waiting = new Set<() => void>();
  let configRequests = 0;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://control-plane");
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
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
