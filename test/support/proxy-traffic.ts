/**
 * Talking to a running proxy the way an application does, and recording what it answered:
 * one chat completion, `/healthz`, and steady background traffic for outage tests.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@switchyard/proxy";

export type ChatAnswer = {
  /** HTTP status; 0 when no answer came (connection refused or reset). */
  status: number;
  /** The OpenAI error code of a refusal (`key_revoked`, `model_not_allowed`, ...). */
  code: string | null;
  requestId: string | null;
  configVersion: number | null;
  /** `x-ratelimit-limit-requests`: present when the key's rpm limit was checked in the store. */
  rpmLimit: number | null;
  /** What went wrong when there was no answer. */
  error: string | null;
  /** A label the caller attaches (the phase of the test it was sent in). */
  phase: string;
};

export type HealthAnswer = {
  status: number;
  configVersion: number | null;
  error: string | null;
  phase: string;
};

const numberHeader = (headers: Headers, name: string): number | null => {
  const value = headers.get(name);
  return value === null ? null : Number(value);
};

/** Sends one small chat completion and reads the whole answer. */
export async function chatOnce(
  proxyUrl: string,
  apiKey: string,
  model: string,
  phase = "",
): Promise<ChatAnswer> {
  try {
    const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: 4 }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return {
      status: res.status,
      code: res.ok ? null : (body.error?.code ?? null),
      requestId: res.headers.get("x-request-id"),
      configVersion: numberHeader(res.headers, "x-switchyard-config-version"),
      rpmLimit: numberHeader(res.headers, "x-ratelimit-limit-requests"),
      error: null,
      phase,
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return {
      status: 0,
      code: null,
      requestId: null,
      configVersion: null,
      rpmLimit: null,
      error: `${String(err)}${cause ? ` (${cause})` : ""}`,
      phase,
    };
  }
}

export async function healthOnce(proxyUrl: string, phase = ""): Promise<HealthAnswer> {
  try {
    const res = await fetch(`${proxyUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { configVersion?: number | null };
    return { status: res.status, configVersion: body.configVersion ?? null, error: null, phase };
  } catch (err) {
    return { status: 0, configVersion: null, error: String(err), phase };
  }
}

export type Traffic = {
  /** Labels the answers from now on. */
  phase: string;
  readonly chats: ChatAnswer[];
  readonly health: HealthAnswer[];
  /** Stops sending and waits for the request in flight. */
  stop(): Promise<void>;
};

/**
 * Sends a chat completion and a /healthz request about every `intervalMs`, one tick at a time
 * (the next tick starts when both answered), until stopped.
 */
export function startTraffic(options: {
  chat: (phase: string) => Promise<ChatAnswer>;
  proxyUrl: string;
  intervalMs: number;
  phase: string;
}): Traffic {
  let stopped = false;
  const traffic: Traffic = {
    phase: options.phase,
    chats: [],
    health: [],
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      const phase = traffic.phase;
      const [chat, health] = await Promise.all([options.chat(phase), healthOnce(options.proxyUrl, phase)]);
      traffic.chats.push(chat);
      traffic.health.push(health);
      await sleep(Math.max(0, options.intervalMs - (Date.now() - started)));
    }
  })();
  return traffic;
}

/** A logger that keeps the lines, to print when a test fails. */
export function recordingLogger(service: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(
        `${new Date().toISOString()} ${service} ${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`,
      );
    };
  return { logger: { info: record("info"), warn: record("warn"), error: record("error") }, lines };
}
