/**
 * "Test credential": one cheap real call to the provider with its primary credential (listing
 * models), answering whether it worked and, when not, what to fix. Audited without secrets.
 */
import {
  type ProviderKind,
  type ProviderTestResult,
  providerAuthHeaders,
  providerKinds,
  providerModelsUrl,
} from "@switchyard/core";
import type { Db } from "@switchyard/db";
import { type Actor, recordAudit } from "../audit/record.ts";
import type { CredentialVault } from "./vault.ts";
import { providerGone } from "./view.ts";

export const providerTestTimeoutMs = 5000;

/** The request that lists models: cheap, authenticated, and free on every provider. */
export function modelsRequest(
  kind: ProviderKind,
  baseUrl: string,
  apiKey: string | null,
): { url: string; headers: Record<string, string> } {
  const descriptor = providerKinds[kind];
  return { url: providerModelsUrl(descriptor, baseUrl), headers: providerAuthHeaders(descriptor, apiKey) };
}

const networkProblems: Record<string, (host: string) => string> = {
  ECONNREFUSED: (h) =>
    `Connection refused by ${h}: is the provider running, and are the host and port right?`,
  ENOTFOUND: (h) => `Could not resolve ${h} (DNS): check the host name in the base URL`,
  EAI_AGAIN: (h) =>
    `Could not resolve ${h} (DNS lookup failed, temporarily): check the host name and the control plane's DNS`,
  ECONNRESET: (h) => `${h} closed the connection: check the port, and http:// versus https://`,
  EHOSTUNREACH: (h) => `${h} is unreachable from the control plane: check the address and the network`,
  ENETUNREACH: (h) => `${h} is unreachable from the control plane: check the address and the network`,
  UND_ERR_SOCKET: (h) => `${h} closed the connection: check the port, and http:// versus https://`,
};

function describeFailure(err: unknown, host: string, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError"))
    return `No answer from ${host} within ${timeoutMs / 1000} s: check the base URL and that the provider is reachable from the control plane`;
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = cause?.code ?? (err as { code?: string } | null)?.code;
  if (code && networkProblems[code]) return networkProblems[code](host);
  if (code && /CERT|SSL|TLS/.test(code))
    return `TLS failed with ${host} (${code}): the provider's certificate is not trusted by the control plane`;
  if (code === "UND_ERR_CONNECT_TIMEOUT")
    return `Could not connect to ${host} in time: check the base URL and that the provider is reachable`;
  return `Could not reach ${host}: ${code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))}`;
}

/** The provider's own error message, if it sent one, with the key scrubbed out just in case. */
function upstreamMessage(body: string, apiKey: string | null): string | null {
  let message: unknown = null;
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    message = typeof json.error === "object" ? json.error?.message : (json.error ?? json.message);
  } catch {
    return null;
  }
  if (typeof message !== "string" || message.length === 0) return null;
  const scrubbed = apiKey ? message.split(apiKey).join("***") : message;
  return scrubbed.length > 200 ? `${scrubbed.slice(0, 200)}…` : scrubbed;
}

function describeStatus(status: number, hasKey: boolean, url: string, upstream: string | null): string {
  const said = upstream ? ` (the provider said: ${upstream})` : "";
  if (status === 401)
    return hasKey
      ? `The provider rejected the credential (401)${said}: check the API key, then rotate in a correct one`
      : `The provider wants an API key (401)${said}: add one with "Rotate credential"`;
  if (status === 403)
    return `The provider refused access (403)${said}: the key lacks permission (project, organisation or IP allow-list)`;
  if (status === 404)
    return `Nothing at ${url} (404)${said}: check the base URL (OpenAI-compatible ones end with /v1)`;
  if (status === 429)
    return `The provider is rate-limiting this key (429)${said}: the key was accepted; try again later or raise its limits`;
  if (status >= 300 && status < 400)
    return `The provider redirected (${status}): check the base URL, and http:// versus https://`;
  if (status >= 500) return `The provider had an error (${status})${said}: it may be down; try again later`;
  return `Unexpected answer ${status} from ${url}${said}`;
}

export async function testProviderCredential(
  deps: { db: Db; vault: CredentialVault },
  caller: { actor: Actor; orgId: string },
  id: string,
  options: { timeoutMs?: number } = {},
): Promise<ProviderTestResult> {
  const timeoutMs = options.timeoutMs ?? providerTestTimeoutMs;
  const provider = await deps.db.provider.findFirst({
    where: { id, orgId: caller.orgId },
    select: {
      name: true,
      kind: true,
      baseUrl: true,
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
  const apiKey = credential ? deps.vault.open(credential) : null;
  const { url, headers } = modelsRequest(provider.kind, provider.baseUrl, apiKey);
  const host = new URL(url).host;

  const started = performance.now();
  let result: ProviderTestResult;
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    const body = await res.text();
    const latencyMs = Math.round(performance.now() - started);
    if (res.ok) {
      let count: number | null = null;
      try {
        const data = (JSON.parse(body) as { data?: unknown }).data;
        if (Array.isArray(data)) count = data.length;
      } catch {
        // Not JSON: the credential still worked.
      }
      const listed = count === null ? "" : ` (${count} model${count === 1 ? "" : "s"} listed)`;
      result = {
        ok: true,
        status: res.status,
        latencyMs,
        message: apiKey
          ? `Connected: the provider accepted the credential${listed}`
          : `Connected without an API key${listed}: fine for a provider that needs none, such as a local vLLM`,
      };
    } else {
      result = {
        ok: false,
        status: res.status,
        latencyMs,
        message: describeStatus(res.status, apiKey !== null, url, upstreamMessage(body, apiKey)),
      };
    }
  } catch (err) {
    result = {
      ok: false,
      status: null,
      latencyMs: Math.round(performance.now() - started),
      message: describeFailure(err, host, timeoutMs),
    };
  }

  await deps.db.$transaction((tx) =>
    recordAudit(tx, caller.actor, {
      action: "providers.test",
      targetType: "provider",
      targetId: id,
      after: {
        ok: result.ok,
        status: result.status,
        latencyMs: result.latencyMs,
        credential: credential ? { id: credential.id, last4: credential.last4 } : null,
      },
    }),
  );
  return result;
}
