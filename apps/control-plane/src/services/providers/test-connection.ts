/**
 * "Test credential": one cheap real call to the provider with its primary credential (listing
 * models), answering whether it worked and, when not, what to fix. Audited without secrets.
 *
 * The test is a request the control plane makes to an address an admin typed, so it is held to the
 * provider address rules: the stored base URL's host is checked again, and a host name is resolved
 * here and every address it has is checked before the connection is made, to the address that was
 * checked (a public-looking name pointing at 169.254.169.254 is refused, and cannot swap addresses
 * between the check and the connect). The result is a class of outcome in the control plane's own
 * words; the provider's answer is never repeated, so the test cannot be used to read what an
 * internal service says.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import {
  classifyAddress,
  classifyHost,
  type ProviderIdInput,
  type ProviderKind,
  type ProviderReach,
  type ProviderTestOutcome,
  type ProviderTestResult,
  providerAddressProblem,
  providerAuthHeaders,
  providerKinds,
  providerModelsUrl,
} from "@switchyard/core";
import { recordAudit } from "../audit/record.ts";
import type { OpArgs } from "../op.ts";
import { providerGone } from "./view.ts";

export const providerTestTimeoutMs = 5000;

/** Enough for any real model list; a larger answer is cut off (the count is then unknown). */
const maxBodyBytes = 1024 * 1024;

/** The request that lists models: cheap, authenticated, and free on every provider. */
export function modelsRequest(
  kind: ProviderKind,
  baseUrl: string,
  apiKey: string | null,
): { url: string; headers: Record<string, string> } {
  const descriptor = providerKinds[kind];
  return { url: providerModelsUrl(descriptor, baseUrl), headers: providerAuthHeaders(descriptor, apiKey) };
}

/** Every address a host name has, as node:dns `lookup(..., { all: true })` gives them. */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const resolveWithDns: ResolveHost = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/** A resolved address the provider rules refuse; `problem` says why, in the rules' words. */
class AddressRefused extends Error {
  readonly problem: string;
  constructor(problem: string) {
    super(problem);
    this.problem = problem;
    this.name = "AddressRefused";
  }
}

class TestTimedOut extends Error {
  constructor() {
    super("no answer in time");
    this.name = "TestTimedOut";
  }
}

/**
 * A `lookup` for node:http that resolves with `resolve`, refuses the connection unless every
 * address passes the provider rules, and hands the checked addresses to the socket.
 */
function checkedLookup(resolve: ResolveHost, protocol: string, reach: ProviderReach): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        // All of them, not only the one connected to: the socket may fall back to any.
        for (const a of all) {
          const problem = providerAddressProblem(classifyAddress(a.address) ?? "unroutable", protocol, reach);
          if (problem) return callback(new AddressRefused(problem), "", 0);
        }
        const family = options.family === 4 || options.family === 6 ? options.family : null;
        const usable = family ? all.filter((a) => a.family === family) : all;
        const first = usable[0];
        if (!first) {
          return callback(
            Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }),
            "",
            0,
          );
        }
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}

type Answer = { status: number; body: string };

/**
 * GET `url`, reading at most `maxBodyBytes`; fails with TestTimedOut once `timeoutMs` pass. The
 * socket is destroyed once settled, whatever the other end does (a non-HTTP server may hold it open).
 */
function get(
  url: URL,
  headers: Record<string, string>,
  lookup: LookupFunction,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const options: RequestOptions = { method: "GET", headers, lookup, agent: false };
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        finish();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      };
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBodyBytes) return chunks.push(chunk);
        chunks.length = 0;
        done();
      });
      res.on("end", done);
      // The status came; a body cut short leaves the count unknown, not the test failed.
      res.on("error", done);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new TestTimedOut());
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      req.destroy();
    };
    req.on("error", (err) => {
      finish();
      reject(timedOut ? new TestTimedOut() : err);
    });
    req.end();
  });
}

type Described = { outcome: ProviderTestOutcome; message: string };

const networkOutcomes: Record<string, Described> = {
  ECONNREFUSED: {
    outcome: "connection_refused",
    message: "Connection refused: is the provider running, and are the host and port right?",
  },
  ECONNRESET: {
    outcome: "connection_closed",
    message: "Connection closed before an answer: check the port, and http:// versus https://",
  },
  EPIPE: {
    outcome: "connection_closed",
    message: "Connection closed before an answer: check the port, and http:// versus https://",
  },
  EHOSTUNREACH: {
    outcome: "unreachable",
    message: "Network unreachable: check the address and the control plane's network",
  },
  ENETUNREACH: {
    outcome: "unreachable",
    message: "Network unreachable: check the address and the control plane's network",
  },
  EADDRNOTAVAIL: {
    outcome: "unreachable",
    message: "Network unreachable: check the address and the control plane's network",
  },
};

const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_NODATA", "EAI_FAIL"]);

/** The class of a failure to get an answer. Only the error's code is read, never its message. */
function describeFailure(err: unknown, host: string, timeoutMs: number): Described {
  if (err instanceof TestTimedOut || (err as { code?: unknown } | null)?.code === "ETIMEDOUT")
    return {
      outcome: "timeout",
      message: `No answer in time (within ${timeoutMs / 1000} s): check the base URL and that the provider is reachable from the control plane`,
    };
  if (err instanceof AddressRefused)
    return {
      outcome: "address_refused",
      message: `Address refused: ${host} resolves to an address a provider may not have. ${err.problem}`,
    };
  const code = String((err as { code?: unknown } | null)?.code ?? "");
  const known = networkOutcomes[code];
  if (known) return known;
  if (dnsCodes.has(code))
    return {
      outcome: "dns_failed",
      message: `Could not resolve ${host} (DNS): check the host name in the base URL`,
    };
  if (/CERT|SSL|TLS|EPROTO/.test(code))
    return {
      outcome: "tls_failed",
      message:
        "TLS failed: the provider's certificate is not trusted by the control plane, or the port does not speak https://",
    };
  return {
    outcome: "failed",
    message: "No usable answer: check the base URL's scheme, host and port",
  };
}

/** Models listed in an OpenAI-style `{ data: [...] }` answer; null when it is not one. */
function modelCount(body: string): number | null {
  try {
    const data = (JSON.parse(body) as { data?: unknown } | null)?.data;
    return Array.isArray(data) ? data.length : null;
  } catch {
    return null;
  }
}

/** The class of an HTTP answer, in the control plane's words; the body is never quoted. */
function describeStatus(answer: Answer, hasKey: boolean, url: string): Described & { ok: boolean } {
  const { status } = answer;
  if (status >= 200 && status < 300) {
    const count = modelCount(answer.body);
    const listed = count === null ? "" : ` (${count} model${count === 1 ? "" : "s"} listed)`;
    return {
      ok: true,
      outcome: "accepted",
      message: hasKey
        ? `Reachable, credentials accepted${listed}`
        : `Reachable without an API key${listed}: fine for a provider that needs none, such as a local vLLM`,
    };
  }
  const fail = (outcome: ProviderTestOutcome, message: string) => ({ ok: false, outcome, message });
  if (status === 401)
    return hasKey
      ? fail(
          "credentials_refused",
          "HTTP 401: credentials refused. Check the API key, then rotate in a correct one",
        )
      : fail(
          "credentials_refused",
          'HTTP 401: the provider wants an API key. Add one with "Rotate credential"',
        );
  if (status === 403)
    return fail(
      "access_denied",
      "HTTP 403: access refused. The key lacks permission (project, organisation or IP allow-list)",
    );
  if (status === 404)
    return fail(
      "not_found",
      `HTTP 404: nothing at ${url}. Check the base URL (OpenAI-compatible ones end with /v1)`,
    );
  if (status === 429)
    return fail("rate_limited", "HTTP 429: rate-limited. Try again later, or raise the key's limits");
  if (status >= 300 && status < 400)
    return fail("redirected", `HTTP 3xx: redirected. Check the base URL, and http:// versus https://`);
  if (status >= 400 && status < 500)
    return fail(
      "client_error",
      "HTTP 4xx: the provider refused the request. Check the base URL and the kind",
    );
  if (status >= 500 && status < 600)
    return fail("server_error", "HTTP 5xx: the provider had an error. It may be down; try again later");
  return fail("failed", "No usable answer: check the base URL's scheme, host and port");
}

/**
 * One call to a stored provider's models list, held to the address rules, as the connection test
 * and model discovery make it: the outcome class and, on a 2xx, the answer's body for the caller to
 * read model ids from (never to repeat).
 */
export async function callModelsEndpoint(
  provider: { kind: ProviderKind; baseUrl: string; inCluster: boolean },
  apiKey: string | null,
  options: { timeoutMs?: number; resolve?: ResolveHost } = {},
): Promise<{ result: ProviderTestResult; body: string | null }> {
  const timeoutMs = options.timeoutMs ?? providerTestTimeoutMs;
  const { url, headers } = modelsRequest(provider.kind, provider.baseUrl, apiKey);
  const target = new URL(url);
  const reach = { inCluster: provider.inCluster };

  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // Rows stored before the address rules existed are held to them here too.
  const stored = providerAddressProblem(classifyHost(target.hostname), target.protocol, reach);
  if (stored) {
    return {
      result: {
        ok: false,
        outcome: "address_refused",
        status: null,
        latencyMs: 0,
        message: `Address refused: ${stored}. Nothing was sent.`,
      },
      body: null,
    };
  }
  const lookup = checkedLookup(options.resolve ?? resolveWithDns, target.protocol, reach);
  try {
    const answer = await get(target, headers, lookup, timeoutMs);
    const described = describeStatus(answer, apiKey !== null, url);
    return {
      result: { ...described, status: answer.status, latencyMs: elapsed() },
      body: described.ok ? answer.body : null,
    };
  } catch (err) {
    return {
      result: {
        ok: false,
        status: null,
        latencyMs: elapsed(),
        ...describeFailure(err, target.hostname, timeoutMs),
      },
      body: null,
    };
  }
}

/**
 * `options` are for tests: a shorter timeout, and a resolver standing in for DNS under someone
 * else's control.
 */
export async function testProviderCredential(
  { db, vault, actor, input }: OpArgs<ProviderIdInput>,
  options: { timeoutMs?: number; resolve?: ResolveHost } = {},
): Promise<ProviderTestResult> {
  const { id } = input;
  const provider = await db.provider.findFirst({
    where: { id, orgId: actor.orgId },
    select: {
      name: true,
      kind: true,
      baseUrl: true,
      inCluster: true,
      credentials: {
        where: { role: "primary" },
        select: { id: true, keyVersion: true, iv: true, tag: true, ciphertext: true, last4: true },
        orderBy: { createdAt: "desc" },
        take: 1,
      },
    },
  });
  if (!provider) throw providerGone();
  const credential = provider.credentials[0] ?? null;
  const apiKey = credential ? vault.open(credential) : null;
  const { result } = await callModelsEndpoint(provider, apiKey, options);

  await db.$transaction((tx) =>
    recordAudit(tx, actor, {
      action: "provider.tested",
      targetType: "provider",
      targetId: id,
      targetName: provider.name,
      after: {
        ok: result.ok,
        outcome: result.outcome,
        status: result.status,
        latencyMs: result.latencyMs,
        credential: credential ? { id: credential.id, last4: credential.last4 } : null,
      },
    }),
  );
  return result;
}
