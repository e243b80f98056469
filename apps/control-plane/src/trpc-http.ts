/**
 * What the tRPC endpoint (/trpc) refuses before tRPC reads a byte of the request: a browser call
 * from another site (CSRF), a mutation that is not JSON, a body over the limit and a batch of too
 * many calls. The checks live in the control plane so that they hold whichever way a request
 * arrives: through the dashboard server, another proxy, or straight to the control plane.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { fromTrustedProxy, type TrustedProxies } from "./client-ip.ts";

export const trpcLimits = {
  /** The dashboard's largest call is a form of a few kilobytes; nothing needs a megabyte. */
  maxBodyBytes: 1024 * 1024,
  /** The dashboard batches the queries of one page; no page has this many. */
  maxBatchCalls: 20,
};

export type BrowserOriginPolicy = {
  /** Whose X-Forwarded-Host names the host the browser saw. */
  trustedProxies: TrustedProxies;
  /** Origins allowed besides the request's own host (DASHBOARD_ORIGINS). */
  dashboardOrigins: readonly string[];
};

export type TrpcRefusal = { status: number; code: TRPC_ERROR_CODE_KEY; message: string };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `host[:port]` as the URL parser writes it for `protocol` (default ports dropped, lower case). */
function normaliseHost(host: string, protocol: string): string | null {
  return URL.parse(`${protocol}//${host.trim()}`)?.host ?? null;
}

/** The hosts this request was addressed to, as the browser wrote them. */
function ownHosts(req: IncomingMessage, protocol: string, trusted: TrustedProxies): string[] {
  const hosts: string[] = [];
  const host = header(req.headers, "host");
  if (host) hosts.push(host);
  // A proxy rewrites Host to ours; the one the browser used is the first X-Forwarded-Host entry.
  const forwarded = header(req.headers, "x-forwarded-host");
  if (forwarded && fromTrustedProxy(req, trusted)) hosts.push(forwarded.split(",")[0] ?? "");
  return hosts.map((h) => normaliseHost(h, protocol)).filter((h) => h !== null);
}

function isOwnOrigin(origin: string, req: IncomingMessage, policy: BrowserOriginPolicy): boolean {
  const url = URL.parse(origin);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
  if (policy.dashboardOrigins.includes(url.origin)) return true;
  return ownHosts(req, url.protocol, policy.trustedProxies).includes(url.host);
}

/**
 * A browser says where a request comes from (Origin, Sec-Fetch-Site); a page of another origin
 * must not act with the dashboard's cookie. Another port on the same host is another origin but the
 * same site, where SameSite=Lax still sends the cookie: hence the Origin check, not only the site.
 * Requests with neither header do not come from a browser page (curl, scripts) and pass.
 */
function refuseCrossSite(req: IncomingMessage, policy: BrowserOriginPolicy): TrpcRefusal | null {
  const origin = header(req.headers, "origin");
  const site = header(req.headers, "sec-fetch-site")?.toLowerCase();
  const refuse = (from: string): TrpcRefusal => ({
    status: 403,
    code: "FORBIDDEN",
    message: `Cross-site request refused: the dashboard's API only answers pages of its own origin (this came from ${from}). Open the dashboard itself, or call without a browser.`,
  });
  if (site === "cross-site") return refuse(origin ?? "another site");
  if (origin !== undefined) return isOwnOrigin(origin, req, policy) ? null : refuse(origin);
  if (site === "same-site") return refuse("another origin of the same site");
  return null;
}

/** Mutations are JSON: a form (multipart, urlencoded) or a plain-text body is what a CSRF page sends. */
function refuseBody(req: IncomingMessage): TrpcRefusal | null {
  if (req.method !== "POST") return null;
  const type = header(req.headers, "content-type");
  const mediaType = type?.split(";", 1)[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    return {
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: `Send the call as JSON with Content-Type: application/json (${type ? `got ${mediaType}` : "no Content-Type was sent"}).`,
    };
  }
  const length = Number(header(req.headers, "content-length") ?? 0);
  if (length > trpcLimits.maxBodyBytes) return bodyTooLarge;
  return null;
}

export const bodyTooLarge: TrpcRefusal = {
  status: 413,
  code: "PAYLOAD_TOO_LARGE",
  message: `The request body is larger than the ${trpcLimits.maxBodyBytes / 1024 / 1024} MB limit.`,
};

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The procedure paths of a call: `a,b,c` with `?batch=1` is three. */
export function procedurePaths(url: URL): string[] {
  const path = decodedPath(url.pathname.slice("/trpc/".length));
  return url.searchParams.get("batch") === "1" ? path.split(",") : [path];
}

function refuseBatch(url: URL): TrpcRefusal | null {
  const calls = procedurePaths(url).length;
  if (calls <= trpcLimits.maxBatchCalls) return null;
  return {
    status: 400,
    code: "BAD_REQUEST",
    message: `A batch may hold at most ${trpcLimits.maxBatchCalls} calls; this one has ${calls}. Split it into smaller batches.`,
  };
}

export function refuseTrpcRequest(
  req: IncomingMessage,
  url: URL,
  policy: BrowserOriginPolicy,
): TrpcRefusal | null {
  return refuseCrossSite(req, policy) ?? refuseBody(req) ?? refuseBatch(url);
}

/**
 * Answers in tRPC's error shape (the one the error formatter writes), so the dashboard's client shows
 * the message; a batch link reads one error object as the answer to each of its calls.
 */
export function writeTrpcRefusal(req: IncomingMessage, res: ServerResponse, url: URL, refusal: TrpcRefusal) {
  const paths = procedurePaths(url);
  const body = JSON.stringify({
    error: {
      message: refusal.message,
      code: TRPC_ERROR_CODES_BY_KEY[refusal.code],
      data: {
        code: refusal.code,
        httpStatus: refusal.status,
        path: paths.length === 1 ? paths[0] : null,
        appCode: null,
        retryAfterSeconds: null,
        fieldErrors: null,
      },
    },
  });
  const unreadBody = req.method === "POST" || header(req.headers, "transfer-encoding") !== undefined;
  res.writeHead(refusal.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    // Closing the connection spares reading (and discarding) the rest of a body we refused.
    ...(unreadBody ? { connection: "close" } : {}),
  });
  res.end(body);
}
