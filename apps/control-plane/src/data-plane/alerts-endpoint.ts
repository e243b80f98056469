/**
 * POST /data-plane/v1/alerts: alerts raised by proxies (today: a provider rejected the new
 * credential and the proxy is serving with the previous one). Each becomes a warning notification
 * for all admins, at most one per provider and kind every 10 minutes however many proxies report
 * it. Answers 202 `DataPlaneAlertAnswer`; 400 with a message for a bad body, 404 for a provider
 * that no longer exists, 401 without the data-plane token.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  alertBodyLimitBytes,
  alertDedupWindowMs,
  DataPlaneAlert,
  type DataPlaneAlertAnswer,
  dataPlaneStatus,
  invalidAlertMessage,
} from "@switchyard/core";
import type { Db } from "@switchyard/db";
import { authorizeDataPlane, readCappedBody, sendError, sendJson } from "./http.ts";

export type AlertsEndpointDeps = { db: Db; token: string };

const status = dataPlaneStatus.alerts;
const invalid = (res: ServerResponse, message: string) =>
  sendError(res, status.invalid, "invalid_request", message);

export function createAlertsEndpoint(deps: AlertsEndpointDeps) {
  return async function handleAlerts(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorizeDataPlane(req, res, deps.token)) return;
    const body = await readCappedBody(req, alertBodyLimitBytes);
    const raw = body === null ? null : body.toString("utf8");
    if (raw === null) return invalid(res, `The alert body is larger than ${alertBodyLimitBytes} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return invalid(res, "The body is not valid JSON: send a JSON object");
    }
    const parsed = DataPlaneAlert.safeParse(json);
    if (!parsed.success) return invalid(res, invalidAlertMessage(parsed.error.issues));
    const result = await recordCredentialFallbackAlert(deps.db, parsed.data);
    if (!result) {
      sendError(
        res,
        status.unknownProvider,
        "not_found",
        `No provider ${parsed.data.providerId}: it may have been deleted`,
      );
      return;
    }
    const answer: DataPlaneAlertAnswer = { accepted: true, ...result };
    sendJson(res, status.accepted, answer);
  };
}

/**
 * Inserts the admins' notification unless one for the same provider and kind was created in the
 * last 10 minutes. A transaction-scoped advisory lock per provider and kind keeps two proxies
 * reporting at once from both inserting. Null when the provider does not exist.
 */
export async function recordCredentialFallbackAlert(
  db: Db,
  alert: DataPlaneAlert,
  now = new Date(),
): Promise<{ notificationId: string; deduplicated: boolean } | null> {
  return db.$transaction(async (tx) => {
    const provider = await tx.provider.findUnique({
      where: { id: alert.providerId },
      select: { id: true, name: true },
    });
    if (!provider) return null;
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`alert:${alert.kind}:${provider.id}`}))`;
    const recent = await tx.notification.findFirst({
      where: {
        kind: alert.kind,
        targetType: "provider",
        targetId: provider.id,
        createdAt: { gt: new Date(now.getTime() - alertDedupWindowMs) },
      },
      select: { id: true },
      orderBy: { createdAt: "desc" },
    });
    if (recent) return { notificationId: recent.id, deduplicated: true };
    const rejected = await tx.providerCredential.findFirst({
      where: { id: alert.credentialId, providerId: provider.id },
      select: { last4: true },
    });
    const which = rejected?.last4 ? `The credential ending in ${rejected.last4}` : "The new credential";
    const created = await tx.notification.create({
      data: {
        userId: null,
        kind: alert.kind,
        severity: "warning",
        title: `Provider ${provider.name}: the new credential was rejected; serving with the previous one`,
        body: `${which} got 401 from ${provider.name}; requests are served with the previous credential until its overlap ends. Check the new key and rotate again before then. Proxy said: ${alert.message}`,
        targetType: "provider",
        targetId: provider.id,
        createdAt: now,
      },
      select: { id: true },
    });
    return { notificationId: created.id, deduplicated: false };
  });
}
