/**
 * The benchmark's `floor` target: the least any Node gateway does. An HTTP server that reads each
 * request, sends it to the upstream through an undici Pool (as the proxy does) and relays the
 * status, content type and body: whole, in one write with its length, or chunk by chunk for a
 * stream. No key check, no body parsing, no limits, no metrics, no usage events. What the proxy
 * costs beyond this is its own doing; this much is Node's.
 *
 * `FLOOR_UPSTREAM=http://127.0.0.1:<mock> FLOOR_PORT=<port> node bench/floor.ts`
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Pool } from "undici";

const upstream = process.env.FLOOR_UPSTREAM;
const port = Number(process.env.FLOOR_PORT);
if (upstream === undefined || !Number.isInteger(port)) {
  throw new Error("set FLOOR_UPSTREAM (the upstream origin) and FLOOR_PORT");
}
const pool = new Pool(upstream, { keepAliveTimeout: 30_000 });

async function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const answer = await pool.request({
    path: req.url ?? "/",
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const type = answer.headers["content-type"];
  const contentType = typeof type === "string" ? type : "application/json";
  if (!contentType.startsWith("text/event-stream")) {
    const whole = Buffer.from(await answer.body.arrayBuffer());
    res.writeHead(answer.statusCode, ["content-type", contentType, "content-length", String(whole.length)]);
    res.end(whole);
    return;
  }
  res.writeHead(answer.statusCode, ["content-type", contentType]);
  res.on("drain", () => answer.body.resume());
  answer.body.on("data", (chunk: Buffer) => {
    if (!res.write(chunk)) answer.body.pause();
  });
  answer.body.on("end", () => res.end());
  answer.body.on("error", () => res.destroy());
}

const server = createServer((req, res) => {
  if (req.method === "GET") {
    res.end("ok"); // /healthz, for the benchmark's readiness check
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    forward(req, res, Buffer.concat(chunks)).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void pool.close();
});
