/**
 * The dashboard's production server, plain node:http (runs as TypeScript on Node 24): serves the built
 * SPA from dist/ and reverse-proxies /trpc and /api to the control plane, so the browser talks to one
 * origin and the session cookie stays first-party. Unknown page paths get index.html (the React app
 * shows its own 404); unknown asset paths get a real 404.
 *
 *   DASHBOARD_PORT (3000), DASHBOARD_HOST (127.0.0.1), CONTROL_PLANE_URL (required)
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { pipeline } from "node:stream";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { envPort, parseEnvironment } from "@switchyard/core/env";
import { z } from "zod";

export type DashboardServerOptions = {
  port: number;
  host: string;
  /** Base URL of the control plane, e.g. http://127.0.0.1:4000. */
  controlPlaneUrl: string;
  /** The Vite build output; defaults to dist/ beside this file. */
  distDir?: string;
};

export type DashboardServer = {
  url: string;
  close(): Promise<void>;
};

const DashboardEnvShape = {
  DASHBOARD_PORT: envPort(3000),
  DASHBOARD_HOST: z.string().default("127.0.0.1"),
  CONTROL_PLANE_URL: z.url({
    protocol: /^https?$/,
    error: (issue) =>
      issue.input === undefined
        ? "is required: the control plane's base URL, e.g. http://127.0.0.1:4000"
        : "must be an http:// or https:// URL, e.g. http://127.0.0.1:4000",
  }),
};
export const DashboardEnv = z.object(DashboardEnvShape);
export type DashboardEnv = z.infer<typeof DashboardEnv>;

/**
 * Parses the environment once with the shared parser (an empty value means unset), failing with a
 * message that names each bad variable.
 */
export function parseDashboardEnv(env: NodeJS.ProcessEnv): DashboardEnv {
  return parseEnvironment({ service: "the dashboard", shape: DashboardEnvShape, source: env });
}

const defaultDistDir = fileURLToPath(new URL("./dist/", import.meta.url));

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
};
const compressible = /^(text\/|application\/(json|manifest\+json)|image\/svg)/;

const securityHeaders: Record<string, string> = {
  // Radix positions popovers with inline styles and sonner injects a <style>: hence 'unsafe-inline' for
  // styles only. Scripts come from 'self' alone (public/theme-init.js is a file, not an inline script).
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
    "frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

const proxiedPrefixes = ["/trpc", "/api"];

// Headers that describe one hop, never forwarded (RFC 9110 §7.6.1).
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * The request target's path as the control plane will read it (WHATWG URL rules: `\` is `/`,
 * `%2e` is `.`, dot segments resolved), or null when it has a dot segment at all. Checked before
 * the prefix, so `/trpc/../metrics` or `/trpc/%2e%2e/data-plane/v1/config` cannot reach what is
 * not proxied; refused rather than resolved, since no page of ours asks for one.
 */
export function proxyPath(target: string): { pathname: string; search: string } | null {
  const [rawPath = "/", ...query] = target.split("?");
  for (const segment of rawPath.split(/[/\\]/)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (decoded === "." || decoded === ".." || decoded.includes("/") || decoded.includes("\\")) return null;
  }
  // Appended to an origin rather than resolved against one: `//host/trpc` stays a path.
  const url = URL.parse(`http://dashboard${rawPath.startsWith("/") ? "" : "/"}${rawPath}`);
  if (!url) return null;
  return { pathname: url.pathname, search: query.length > 0 ? `?${query.join("?")}` : "" };
}

function isProxied(pathname: string): boolean {
  return proxiedPrefixes.some(
    (p) => pathname === p || pathname.startsWith(`${p}/`) || pathname.startsWith(`${p}?`),
  );
}

function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function sendText(
  res: http.ServerResponse,
  status: number,
  body: string,
  extra: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...extra,
  });
  res.end(body);
}

function proxyToControlPlane(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  upstream: URL,
  agent: http.Agent,
  target: string,
): void {
  const basePath = upstream.pathname.replace(/\/+$/, "");
  const headers = endToEndHeaders(req.headers);
  const clientIp = req.socket.remoteAddress ?? "";
  const priorFor = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = priorFor ? `${priorFor}, ${clientIp}` : clientIp;
  headers["x-forwarded-proto"] ??= "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
  if (req.headers.host) headers["x-forwarded-host"] ??= req.headers.host;
  headers.host = upstream.host;

  const upstreamReq = (upstream.protocol === "https:" ? https : http).request({
    protocol: upstream.protocol,
    hostname: upstream.hostname,
    port: upstream.port || undefined,
    method: req.method,
    path: `${basePath}${target}`,
    headers,
    agent,
  });

  upstreamReq.on("response", (upstreamRes) => {
    res.writeHead(
      upstreamRes.statusCode ?? 502,
      upstreamRes.statusMessage,
      endToEndHeaders(upstreamRes.headers),
    );
    // Streamed, never buffered; an error on either side tears down both.
    pipeline(upstreamRes, res, (err) => {
      if (err) upstreamReq.destroy();
    });
  });
  upstreamReq.on("error", () => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({
      error: { message: "The control plane could not be reached", code: "upstream_unavailable" },
    });
    res.writeHead(502, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
    });
    res.end(body);
  });
  // A browser that goes away aborts the upstream request.
  res.on("close", () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  pipeline(req, upstreamReq, (err) => {
    if (err) upstreamReq.destroy();
  });
}

async function serveStatic(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  distDir: string,
  pathname: string,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendText(res, 405, "Method Not Allowed\n", { allow: "GET, HEAD" });
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    sendText(res, 400, "Bad Request\n");
    return;
  }
  if (decoded.includes("\0")) {
    sendText(res, 400, "Bad Request\n");
    return;
  }
  const filePath = path.join(distDir, path.normalize(decoded));
  // path.join normalises `..` away above the root, but check anyway: nothing outside dist/ is served.
  if (filePath !== distDir && !filePath.startsWith(distDir + path.sep)) {
    sendText(res, 404, "Not Found\n");
    return;
  }

  const file = await stat(filePath).catch(() => null);
  if (file?.isFile()) {
    const hashed = decoded.startsWith("/assets/");
    await sendFile(req, res, filePath, file, hashed ? "public, max-age=31536000, immutable" : "no-cache");
    return;
  }
  // A path that names a file (has an extension) or lives under /assets/ is an asset that does not exist;
  // anything else is a page of the SPA, whose router decides what to show (including its 404 page).
  if (decoded.startsWith("/assets/") || path.extname(decoded) !== "") {
    sendText(res, 404, "Not Found\n");
    return;
  }
  const indexPath = path.join(distDir, "index.html");
  const index = await stat(indexPath).catch(() => null);
  if (!index?.isFile()) {
    sendText(res, 500, "The dashboard is not built: run `pnpm build` first.\n");
    return;
  }
  await sendFile(req, res, indexPath, index, "no-cache");
}

async function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  filePath: string,
  file: { size: number; mtimeMs: number; mtime: Date },
  cacheControl: string,
): Promise<void> {
  const ext = path.extname(filePath).toLowerCase();
  const type = contentTypes[ext] ?? "application/octet-stream";
  const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  const headers: http.OutgoingHttpHeaders = {
    ...(type.startsWith("text/html") ? securityHeaders : { "x-content-type-options": "nosniff" }),
    "content-type": type,
    "cache-control": cacheControl,
    etag,
    "last-modified": file.mtime.toUTCString(),
    vary: "Accept-Encoding",
  };
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip =
    compressible.test(type) &&
    file.size > 1024 &&
    /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  if (gzip) headers["content-encoding"] = "gzip";
  else headers["content-length"] = file.size;
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const source = createReadStream(filePath);
  const done = (err: NodeJS.ErrnoException | null) => {
    if (err) res.destroy();
  };
  if (gzip) pipeline(source, createGzip(), res, done);
  else pipeline(source, res, done);
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const distDir = path.resolve(options.distDir ?? defaultDistDir);
  const upstream = new URL(options.controlPlaneUrl);
  if (upstream.protocol !== "http:" && upstream.protocol !== "https:") {
    throw new Error(`controlPlaneUrl must be an http(s) URL, got ${options.controlPlaneUrl}`);
  }
  // Fail at start, not on the first visitor, when the SPA has not been built.
  await readFile(path.join(distDir, "index.html")).catch(() => {
    throw new Error(
      `The dashboard is not built: ${path.join(distDir, "index.html")} is missing. Run \`pnpm build\`.`,
    );
  });

  const agent = new (upstream.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const target = proxyPath(req.url ?? "/");
    if (!target) {
      sendText(res, 400, "Bad Request: the path may not contain . or .. segments\n");
      return;
    }
    // The upstream gets the path that was checked, not the raw one (which it would resolve itself).
    if (isProxied(target.pathname)) {
      proxyToControlPlane(req, res, upstream, agent, `${target.pathname}${target.search}`);
      return;
    }
    const pathname = (req.url ?? "/").split("?")[0] ?? "/";
    serveStatic(req, res, distDir, pathname).catch(() => {
      if (!res.headersSent) sendText(res, 500, "Internal Server Error\n");
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

if (import.meta.main) {
  let env: DashboardEnv;
  try {
    env = parseDashboardEnv(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const server = await startDashboardServer({
    port: env.DASHBOARD_PORT,
    host: env.DASHBOARD_HOST,
    controlPlaneUrl: env.CONTROL_PLANE_URL,
  }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
  console.log(`dashboard: ${server.url} (control plane: ${env.CONTROL_PLANE_URL})`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
    });
  }
}
