/**
 * The relay stage: how an upstream answer reaches the client. A whole answer goes out with its
 * length; a stream is piped chunk by chunk with back-pressure both ways, through the provider's
 * translation (when it does not speak OpenAI's SSE) and past every hold's stream hook; an upstream
 * error is relayed when it is the client's to read and becomes the proxy's own error otherwise.
 */
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import type { ProxyDeps } from "../http/context.ts";
import { sseErrorEvent } from "../http/errors.ts";
import type { ChatStreamTranslator } from "../providers/types.ts";
import { upstreamErrorAnswer } from "../providers/upstream.ts";
import { type Attempt, upstreamFailure } from "./attempt.ts";
import { clientClosedStatus, type ModelCall } from "./types.ts";

/** Sends a whole answer with the call's headers. */
export function sendAnswer(
  call: ModelCall,
  status: number,
  contentType: string,
  body: Buffer | string,
): void {
  const { ctx } = call;
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

/**
 * An upstream 4xx in OpenAI's shape is the client's to read (bad parameter, context too long) and
 * passes through as sent; anything else becomes the proxy's own error (`upstreamErrorAnswer`).
 */
export async function relayUpstreamError(call: ModelCall, upstream: Dispatcher.ResponseData): Promise<void> {
  const relayed = await upstreamErrorAnswer(call.deployment!, upstream);
  if (relayed.retryAfter !== null) call.ctx.headers.push("retry-after", relayed.retryAfter);
  sendAnswer(call, upstream.statusCode, "application/json", relayed.body);
}

/** Pipes an upstream SSE stream to the client as it arrives, honouring back-pressure both ways. */
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
  const status = upstream.statusCode;
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
  // Only holds with a stream hook are called per chunk.
  const hooked = call.holds.filter((hold) => hold.onChunk !== undefined);

  const body = upstream.body;
  return new Promise((resolve) => {
    let first = true;
    // The last two bytes sent: "\n\n" means the client is between events.
    let last = 0x0a;
    let beforeLast = 0x0a;
    res.on("drain", () => body.resume());
    body.on("data", (received: Buffer) => {
      // Translated event by event for providers whose stream is not OpenAI's.
      const chunk = translator === null ? received : Buffer.from(translator.push(received));
      call.meter.readChunk(chunk, ctx.startedAt);
      for (const hold of hooked) hold.onChunk!(call, chunk);
      if (first) {
        first = false;
        deps.metrics.ttft.observe({ model: call.modelLabel }, (performance.now() - ctx.startedAt) / 1000);
      }
      const n = chunk.length;
      if (n >= 2) {
        beforeLast = chunk[n - 2]!;
        last = chunk[n - 1]!;
      } else if (n === 1) {
        beforeLast = last;
        last = chunk[0]!;
      }
      if (!res.write(chunk)) body.pause();
    });
    body.once("end", () => {
      attempt.finished();
      res.end(translator === null ? undefined : translator.end());
      call.status = status;
      resolve();
    });
    body.once("error", (err: Error) => {
      attempt.finished();
      if (attempt.clientGone) {
        call.status = clientClosedStatus;
        resolve();
        return;
      }
      // The status line went out long ago: the failure travels as a last SSE event.
      const failure = upstreamFailure(err, attempt, deployment);
      call.errorCode = failure.code;
      const separator = last === 0x0a && beforeLast === 0x0a ? "" : "\n\n";
      res.end(separator + sseErrorEvent(failure));
      call.status = failure.status;
      resolve();
    });
  });
}
