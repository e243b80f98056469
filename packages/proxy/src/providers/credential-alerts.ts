/**
 * A provider that refused its primary credential (HTTP 401) and was retried with the fallback one
 * (a credential rotation whose new key does not work yet, or a revoked key): counted in
 * `switchyard_proxy_credential_fallbacks_total{provider}` and reported to the control plane as an
 * alert, `POST {controlPlaneUrl}/data-plane/v1/alerts`. Reporting is fire-and-forget, at most once
 * a minute per provider, and never delays or fails the request that fell back.
 */
import { Counter, type Registry } from "prom-client";
import { Agent, dataPlaneEndpoint } from "../http/undici.ts";
import { errorFields, type Logger } from "../logger.ts";

export type CredentialAlert = {
  kind: "credential_fallback";
  providerId: string;
  /** The credential the provider refused. */
  credentialId: string;
  message: string;
};

export type CredentialAlertsOptions = {
  controlPlaneUrl: string;
  dataPlaneToken: string;
  registry: Registry;
  log: Logger;
  /** Least time between two alerts about one provider (default 60 s). */
  intervalMs?: number;
  /** Give up on one alert POST after this long (default 5 s). */
  timeoutMs?: number;
};

export type CredentialAlerts = {
  /** Records one fallback; sends the alert unless one about this provider went out recently. */
  fallback(alert: Omit<CredentialAlert, "kind"> & { providerName: string }): void;
  /** Waits for alerts still being sent (shutdown). */
  close(): Promise<void>;
};

export function createCredentialAlerts(options: CredentialAlertsOptions): CredentialAlerts {
  const intervalMs = options.intervalMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const endpoint = dataPlaneEndpoint(options.controlPlaneUrl, "alerts");
  const agent = new Agent({ connect: { timeout: timeoutMs } });
  const fallbacks = new Counter({
    name: "switchyard_proxy_credential_fallbacks_total",
    help: "Requests retried with a provider's fallback credential after the primary one got HTTP 401.",
    labelNames: ["provider"] as const,
    registers: [options.registry],
  });
  const lastSentAt = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();

  async function send(alert: CredentialAlert): Promise<void> {
    try {
      const res = await agent.request({
        ...endpoint,
        method: "POST",
        headers: {
          authorization: `Bearer ${options.dataPlaneToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(alert),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        options.log.warn("the control plane refused a credential alert", {
          providerId: alert.providerId,
          status: res.statusCode,
        });
      }
    } catch (err) {
      options.log.warn("cannot send a credential alert to the control plane", {
        providerId: alert.providerId,
        ...errorFields(err),
      });
    }
  }

  return {
    fallback({ providerName, ...alert }) {
      fallbacks.inc({ provider: providerName });
      const now = Date.now();
      const last = lastSentAt.get(alert.providerId);
      if (last !== undefined && now - last < intervalMs) return;
      lastSentAt.set(alert.providerId, now);
      // Logged as rarely as alerted: the counter has every occurrence.
      options.log.warn(alert.message, { providerId: alert.providerId, credentialId: alert.credentialId });
      const sending = send({ kind: "credential_fallback", ...alert });
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
    },
    async close() {
      await Promise.all([...inFlight]);
      await agent.close().catch(() => {});
    },
  };
}
