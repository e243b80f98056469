/**
 * The relay stage: how an upstream answer reaches the client. A whole answer goes out with its
 * length; a stream is piped chunk by chunk with back-pressure both ways, through the provider's
 * translation (when it does not speak OpenAI's SSE) and past every hold's stream hook; an upstream
 * error is relayed when it is the client's to read and becomes the proxy's own error otherwise.
 */
import { performance } from "node:perf_hooks";
import { AppError } from "@switchyard/core";
import type { Dispatcher } from "undici";
import type { ProxyDeps } from "../http/context.ts";
import { sseErrorEvent } from "../http/errors.ts";
import { SseEventFilter } from "../providers/sse.ts";
import type { ChatStreamTranslator } from "../providers/types.ts";
import type { UpstreamOutcome } from "../routing/failover.ts";
import { generatedTextBytes } from "../usage/tokens.ts";
import { type Attempt, NothingRelayedError, upstreamFailure } from "./attempt.ts";
import { clientClosedStatus, type ModelCall } from "./types.ts";

/**
 * Sends a whole answer with the call's headers. A successful JSON answer that does not parse is
 * never relayed as such: the call fails with `upstream_error` instead (and used nothing).
 */
export function sendAnswer(
  call: ModelCall,
  status: number,
  contentType: string,
  body: Buffer | string,
): void {
  const { ctx } = call;
  if (status >= 200 && status < 300 && !isJson(body)) {
    const { meter } = call;
    meter.answered = false;
    meter.promptTokens = -1;
    meter.completionTokens = -1;
    meter.generatedBytes = 0;
    const name = call.deployment === null ? "" : ` '${call.deployment.provider.name}'`;
    throw new AppError(
      "upstream_error",
      `The upstream provider${name} answered with a body that is not JSON.`,
    );
  }
  ctx.headers.push(
    "x-switchyard-attempts",
    String(call.attempts),
    "content-type",
    contentType,
    "content-length",
    String(typeof body === "string" ? Buffer.byteLength(body) : body.length),
  );
  ctx.res.writeHead(status, ctx.headers);
  ctx.res.end(body);
  call.status = status;
}

function isJson(body: Buffer | string): boolean {
  try {
    JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

const doneEvent = "data: [DONE]\n\n";
/** The most of a stream held back before its first content chunk; past it, the stream goes out. */
const maxHeldBytes = 64 * 1024;

/**
 * Pipes an upstream SSE stream to the client, honouring back-pressure both ways. OpenAI-shaped
 * streams are relayed event by event, malformed events dropped (`SseEventFilter`).
 *
 * The response is held until the first content chunk (or a complete answer, or 64 KiB): a stream
 * that fails before it (cut, silent past the deployment's first-token or between-chunks timeout,
 * ended without an answer) rejects with `NothingRelayedError`, nothing sent, so the attempt stage
 * may fail over. After it, the client learns how the stream ended: `[DONE]` only for a complete
 * answer (one that ended cleanly without `[DONE]` but with its finish reason gets one at once), and
 * otherwise a last error event, with the call's status and error code set for its usage event.
 */
export function pipeStream(
  call: ModelCall,
  deps: ProxyDeps,
  upstream: Dispatcher.ResponseData,
  attempt: Attempt,
  translator: ChatStreamTranslator | null,
): Promise<void> {
  const { ctx } = call;
  const { res } = ctx;
  const deployment = call.deployment!;
  const providerName = deployment.provider.name;
  const status = upstream.statusCode;
  // Only holds with a stream hook are called per chunk.
  const hooked = call.holds.filter((hold) => hold.onChunk !== undefined);
  const filter = translator === null ? new SseEventFilter() : null;
  const silenceMs = deployment.timeouts.betweenChunksMs;
  const firstTokenMs = deployment.timeouts.firstTokenMs;

  const body = upstream.body;
  return new Promise((resolve, reject) => {
    let committed = false;
    let held: Buffer[] = [];
    let heldBytes = 0;
    let done = false;
    // The last two bytes sent: "\n\n" means the client is between events.
    let last = 0x0a;
    let beforeLast = 0x0a;
    let silence: NodeJS.Timeout | undefined;
    let firstToken: NodeJS.Timeout | undefined;

    const send = (chunk: Buffer): boolean => {
      if (chunk.length === 0) return true;
      call.meter.readChunk(chunk, ctx.startedAt);
      for (const hold of hooked) hold.onChunk!(call, chunk);
      const n = chunk.length;
      if (n >= 2) {
        beforeLast = chunk[n - 2]!;
        last = chunk[n - 1]!;
      } else {
        beforeLast = last;
        last = chunk[0]!;
      }
      return res.write(chunk);
    };

    /** The response goes out: its head, then what was held. */
    const commit = (): boolean => {
      committed = true;
      clearTimeout(firstToken);
      call.meter.translator = translator;
      ctx.headers.push(
        "x-switchyard-attempts",
        String(call.attempts),
        "content-type",
        "text/event-stream",
        "cache-control",
        "no-cache",
        "x-accel-buffering",
        "no",
      );
      res.writeHead(status, ctx.headers);
      res.flushHeaders();
      // Writes racing a disconnect must not surface as an unhandled 'error' event.
      res.on("error", () => {});
      deps.metrics.ttft.observe({ model: call.modelLabel }, (performance.now() - ctx.startedAt) / 1000);
      const chunk = held.length === 1 ? held[0]! : Buffer.concat(held);
      held = [];
      return send(chunk);
    };

    const settle = (): void => {
      done = true;
      clearTimeout(silence);
      clearTimeout(firstToken);
      attempt.finished();
      body.removeAllListeners("data");
      res.removeListener("drain", onDrain);
    };

    /**
     * The stream failed: before anything went out, the attempt stage may fail over; after, the
     * stream ends with the proxy's error event (the status line went out long ago).
     */
    const fail = (failure: AppError, outcome: UpstreamOutcome): void => {
      if (!committed) {
        reject(new NothingRelayedError(outcome, failure));
        return;
      }
      call.errorCode = failure.code;
      call.status = failure.status;
      const separator = last === 0x0a && beforeLast === 0x0a ? "" : "\n\n";
      res.end(separator + sseErrorEvent(failure));
      resolve();
    };

    /** A timer of our own fired: the upstream request is aborted, nothing more is read from it. */
    const timedOut = (message: string): void => {
      if (done) return;
      settle();
      body.destroy();
      fail(new AppError("upstream_timeout", message), { kind: "timeout" });
    };
    const onSilence = (): void =>
      timedOut(`The upstream provider '${providerName}' stalled: nothing for ${silenceMs} ms mid-stream.`);

    const armSilence = (): void => {
      if (silenceMs === null) return;
      clearTimeout(silence);
      silence = setTimeout(onSilence, silenceMs);
    };

    const onDrain = (): void => {
      if (done) return;
      armSilence();
      body.resume();
    };

    if (firstTokenMs !== null) {
      firstToken = setTimeout(
        () =>
          timedOut(
            `The upstream provider '${providerName}' sent no content within ${firstTokenMs} ms of starting its answer.`,
          ),
        firstTokenMs,
      );
    }
    res.on("drain", onDrain);
    body.on("data", (received: Buffer) => {
      if (done) return;
      let flowing = true;
      try {
        // Translated event by event for providers whose stream is not OpenAI's; checked event by
        // event for the others.
        const chunk = translator === null ? filter!.push(received) : Buffer.from(translator.push(received));
        if (committed) flowing = send(chunk);
        else if (chunk.length > 0) {
          held.push(chunk);
          heldBytes += chunk.length;
          const answered =
            generatedTextBytes(chunk) > 0 || filter?.sawFinish === true || filter?.sawDone === true;
          if (answered || heldBytes >= maxHeldBytes) flowing = commit();
        }
      } catch (err) {
        // Whatever the upstream sent, the proxy ends this stream, not the process.
        settle();
        body.destroy();
        fail(
          new AppError(
            "upstream_error",
            `The upstream provider '${providerName}' sent a stream the proxy could not read.`,
            { cause: err },
          ),
          { kind: "server_error" },
        );
        return;
      }
      if (flowing) armSilence();
      else {
        // A slow client is not a silent upstream: the timer waits for the client to drain.
        clearTimeout(silence);
        body.pause();
      }
    });
    body.once("end", () => {
      if (done) return;
      settle();
      if (translator !== null) {
        if (!committed) commit();
        res.end(translator.end());
        call.status = status;
        resolve();
        return;
      }
      const rest = filter!.end();
      if (filter!.sawDone || filter!.sawFinish) {
        if (committed) send(rest);
        else {
          held.push(rest);
          commit();
        }
        // Ended cleanly after the whole answer, only without `[DONE]`: finalised now.
        res.end(filter!.sawDone ? undefined : doneEvent);
        call.status = status;
        resolve();
        return;
      }
      if (committed) send(rest);
      fail(
        new AppError(
          "upstream_error",
          `The upstream provider '${providerName}' ended the stream before finishing its answer.`,
        ),
        { kind: "server_error" },
      );
    });
    body.once("error", (err: Error) => {
      if (done) return;
      settle();
      if (attempt.clientGone) {
        call.status = clientClosedStatus;
        resolve();
        return;
      }
      fail(upstreamFailure(err, attempt, deployment), {
        kind: attempt.timedOut === null ? "connection" : "timeout",
      });
    });
  });
}
