/**
 * Delivers a JSON event to an owner's webhook: 5 s per attempt, a few retries on network errors,
 * timeouts, 429 and 5xx. Redirects are not followed, so a secret is only ever sent to the URL the
 * admin saved. Never throws: the outcome is returned for the notice and the audit log.
 */
export type WebhookOutcome =
  | { ok: true; status: number; attempts: number }
  | { ok: false; status: number | null; error: string; attempts: number };

export type WebhookOptions = {
  timeoutMs?: number;
  /** Waits before each retry; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
};

export const defaultWebhookOptions = { timeoutMs: 5000, retryDelaysMs: [1000, 3000] } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function postWebhook(
  url: string,
  body: unknown,
  options: WebhookOptions = {},
): Promise<WebhookOutcome> {
  const timeoutMs = options.timeoutMs ?? defaultWebhookOptions.timeoutMs;
  const retryDelays = options.retryDelaysMs ?? defaultWebhookOptions.retryDelaysMs;
  const payload = JSON.stringify(body);
  let last: WebhookOutcome = { ok: false, status: null, error: "not attempted", attempts: 0 };
  for (let attempt = 1; attempt <= retryDelays.length + 1; attempt++) {
    let retryable = true;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "switchyard-control-plane" },
        body: payload,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, attempts: attempt };
      retryable = res.status === 429 || res.status >= 500;
      last = {
        ok: false,
        status: res.status,
        error: `the webhook answered HTTP ${res.status}`,
        attempts: attempt,
      };
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
      const reason = timedOut
        ? `no answer within ${timeoutMs / 1000} s`
        : `could not reach it (${cause ?? (err instanceof Error ? err.message : String(err))})`;
      last = { ok: false, status: null, error: reason, attempts: attempt };
    }
    const delay = retryDelays[attempt - 1];
    if (!retryable || delay === undefined) break;
    await sleep(delay);
  }
  return last;
}
