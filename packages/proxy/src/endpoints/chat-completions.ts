/**
 * POST /v1/chat/completions: authenticate the key, read and check the body, resolve the model to a
 * deployment, and forward to its provider. JSON answers are relayed with their status; streams are
 * piped chunk by chunk; a client that goes away aborts the upstream request.
 */
import { performance } from "node:perf_hooks";
import { AppError } from "@switchyard/core";
import type { Dispatcher } from "undici";
import type { CompiledDeployment } from "../config/compile.ts";
import { readBody } from "../http/body.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { configNotLoaded, sseErrorEvent } from "../http/errors.ts";
import { authenticateKey, authorizeModel } from "../keys/authenticate.ts";
import { admitRequest } from "../limits/rate-limit.ts";
import type { ChatStreamTranslator } from "../providers/types.ts";
import { chatAnswer, chatStreamTranslator, sendUpstream } from "../providers/upstream.ts";
import { type ChatRequest, parseChatRequest } from "./chat-request.ts";
import {
  Attempt,
  type Call,
  clientClosedStatus,
  record,
  relayUpstreamError,
  runCall,
  sendAnswer,
  upstreamFailure,
} from "./route-call.ts";

export function chatCompletions(ctx: RequestContext, deps: ProxyDeps): Promise<void> {
  return runCall(ctx, deps, "chat completion", handle);
}

async function handle(ctx: RequestContext, deps: ProxyDeps, call: Call): Promise<void> {
  const snapshot = ctx.snapshot;
  if (snapshot === null) throw configNotLoaded();
  const key = authenticateKey(snapshot, ctx.req.headers.authorization, Date.now());
  call.meter.key = key;
  const body = parseChatRequest(await readBody(ctx.req, deps.maxBodyBytes));
  call.meter.requested(body);
  const model = authorizeModel(snapshot, key, body.model);
  call.model = model.name;
  if (model.kind !== "chat") {
    const message = `The model '${model.name}' is an embedding model, not a chat model.`;
    throw new AppError("invalid_request", message, { fieldErrors: { model: ["not a chat model"] } });
  }
  // Routing across deployments (weights, fallbacks) comes later; for now the first one serves.
  const deployment = model.deployments[0];
  call.provider = deployment.provider.name;
  ctx.headers.push("x-switchyard-model", model.name, "x-switchyard-deployment", deployment.id);
  if (deployment.provider.unavailableReason !== null) {
    throw new AppError("upstream_error", deployment.provider.unavailableReason);
  }
  call.meter.routed(deployment);
  await admitRequest(ctx, deps, call.meter);
  await forward(ctx, deps, call, deployment, body);
}

/** Per-attempt flags read by the error classification. */
async function forward(
  ctx: RequestContext,
  deps: ProxyDeps,
  call: Call,
  deployment: CompiledDeployment,
  body: ChatRequest,
): Promise<void> {
  const { res } = ctx;
  const provider = deployment.provider;
  const adapter = provider.adapter!;
  const stream = body.stream === true;
  const payload = adapter.buildChatBody(body, deployment.upstreamModel);

  // A stream cut by the total timeout ends with an upstream_timeout event.
  const attempt = new Attempt(res, deployment.timeouts);

  let upstream: Dispatcher.ResponseData;
  try {
    // Retried once with the provider's fallback credential if the primary one gets a 401.
    upstream = await sendUpstream(
      deps,
      {
        deployment,
        path: provider.chatCompletionsPath,
        body: payload,
        requestId: ctx.requestId,
        signal: attempt.signal,
      },
      call,
    );
  } catch (err) {
    attempt.finished();
    throw attempt.failure(err, deployment);
  }
  attempt.started();

  const status = upstream.statusCode;
  if (stream && status >= 200 && status < 300) {
    const translator = chatStreamTranslator(deployment, body);
    call.meter.translator = translator;
    await pipeStream(ctx, deps, call, deployment, upstream, attempt, translator);
    return;
  }

  try {
    if (status >= 200 && status < 300) {
      const raw = Buffer.from(await upstream.body.arrayBuffer());
      // Translated to a chat.completion for providers that do not speak OpenAI's format.
      const { body: answer, contentType } = chatAnswer(deployment, raw, upstream.headers["content-type"]);
      call.meter.readAnswer(answer);
      sendAnswer(ctx, deps, call, status, contentType, answer);
      return;
    }
    await relayUpstreamError(ctx, deps, call, deployment, upstream);
  } catch (err) {
    throw attempt.failure(err, deployment);
  } finally {
    attempt.finished();
  }
}

/** Pipes an upstream SSE stream to the client as it arrives, honouring back-pressure both ways. */
function pipeStream(
  ctx: RequestContext,
  deps: ProxyDeps,
  call: Call,
  deployment: CompiledDeployment,
  upstream: Dispatcher.ResponseData,
  attempt: Attempt,
  translator: ChatStreamTranslator | null,
): Promise<void> {
  const { res } = ctx;
  const status = upstream.statusCode;
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
      if (first) {
        first = false;
        deps.metrics.ttft.observe({ model: call.model }, (performance.now() - ctx.startedAt) / 1000);
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
      record(ctx, deps, call, status);
      resolve();
    });
    body.once("error", (err: Error) => {
      attempt.finished();
      if (attempt.clientGone) {
        record(ctx, deps, call, clientClosedStatus);
        resolve();
        return;
      }
      // The status line went out long ago: the failure travels as a last SSE event.
      const failure = upstreamFailure(err, attempt, deployment);
      call.meter.errorCode = failure.code;
      const separator = last === 0x0a && beforeLast === 0x0a ? "" : "\n\n";
      res.end(separator + sseErrorEvent(failure));
      record(ctx, deps, call, failure.status);
      resolve();
    });
  });
}
