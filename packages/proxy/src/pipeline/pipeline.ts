/**
 * The model-call pipeline: every model call, on every API surface, runs these stages in this order
 * and nowhere else.
 *
 *   authenticate  the API key, against the snapshot the request arrived under
 *   parse         the body, by the surface (`Surface.parse`)
 *   resolve       what the client asked for to a model of the snapshot (a prompt template later)
 *   select        the deployments that may serve it, in order, by the alias's strategy (routing/selector.ts)
 *   admit         each enforcer in `deps.enforcers`, in order; a refusal stops the call
 *   attempt       the upstream calls with their timeouts, retries and failover (pipeline/attempt.ts)
 *   relay         the answer, whole or streamed, by the surface (pipeline/relay.ts)
 *   settle        every hold an enforcer took, always: answered, refused later, failed, or abandoned
 *   record        metrics and the one usage event (pipeline/finish.ts)
 */
import { AppError } from "@switchyard/core";
import type { CompiledDeployment, CompiledKey, CompiledModel, CompiledSnapshot } from "../config/compile.ts";
import { ClientGoneError, readBody } from "../http/body.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import { configNotLoaded, sendError, toAppError } from "../http/errors.ts";
import { authenticateKey, authorizeModel } from "../keys/authenticate.ts";
import { errorFields } from "../logger.ts";
import { preferFitting } from "../routing/context-windows.ts";
import type { RandomSource } from "../routing/selector.ts";
import { UsageMeter } from "../usage/meter.ts";
import { attemptWithFailover, NothingRelayedError } from "./attempt.ts";
import { finishCall } from "./finish.ts";
import { sendAnswer } from "./relay.ts";
import { clientClosedStatus, ModelCall, type ModelRequest, type Surface } from "./types.ts";

const modelKindNames = { chat: "a chat model", embedding: "an embedding model" } as const;
/** Where a model of each kind is served, for the message that points a client there. */
const endpointOfKind = { chat: "/v1/chat/completions", embedding: "/v1/embeddings" } as const;

/** resolve: the model the request names, if it exists, the key may use it, and it suits the surface. */
export function resolveModel(
  snapshot: CompiledSnapshot,
  key: CompiledKey,
  request: ModelRequest,
  surface: Surface<ModelRequest>,
): CompiledModel {
  const model = authorizeModel(snapshot, key, request.model);
  if (model.kind !== surface.modelKind) {
    const message = `The model '${model.name}' is ${modelKindNames[model.kind]}, not ${modelKindNames[surface.modelKind]}; send it to ${endpointOfKind[model.kind]}.`;
    throw new AppError("invalid_request", message, {
      fieldErrors: { model: [`not ${modelKindNames[surface.modelKind]}`] },
    });
  }
  return model;
}

/** The upstream path of `operation` on the deployment's provider, or null when it has none. */
function operationPath(deployment: CompiledDeployment, operation: Surface["operation"]): string | null {
  const provider = deployment.provider;
  return operation === "chat.completions" ? provider.chatCompletionsPath : provider.embeddingsPath;
}

/** A deployment's context window, compiled with the snapshot. */
const contextWindow = (deployment: CompiledDeployment) => deployment.contextWindow;

/**
 * select: the deployments that may serve the call, in the order the attempt stage tries them, by
 * the alias's strategy (compiled with the snapshot); `random` draws for `weighted`. One that cannot
 * serve it (a credential that did not open, no API for the surface) is left out; with none left,
 * the first one's reason is the client's answer.
 */
export function selectCandidates(
  model: CompiledModel,
  surface: Surface<ModelRequest>,
  random: RandomSource = Math.random,
): [CompiledDeployment, ...CompiledDeployment[]] {
  const candidates = model.selector.candidates(random);
  const usable = candidates.filter((d) => unusableReason(d, model, surface) === null);
  const [first, ...rest] = usable;
  if (first === undefined)
    throw new AppError("upstream_error", unusableReason(candidates[0], model, surface)!);
  return [first, ...rest];
}

/** Why `deployment` cannot serve a call of `surface`, or null when it can. */
function unusableReason(
  deployment: CompiledDeployment,
  model: CompiledModel,
  surface: Surface<ModelRequest>,
): string | null {
  const provider = deployment.provider;
  if (provider.unavailableReason !== null) return provider.unavailableReason;
  if (operationPath(deployment, surface.operation) === null) {
    return `The upstream provider '${provider.name}' (${provider.kind}) has no ${surface.operation} API; deploy '${model.name}' on a provider that has one.`;
  }
  return null;
}

async function runStages<R extends ModelRequest>(
  call: ModelCall,
  deps: ProxyDeps,
  surface: Surface<R>,
): Promise<void> {
  const { ctx } = call;
  const snapshot = ctx.snapshot;
  if (snapshot === null) throw configNotLoaded();

  const key = authenticateKey(snapshot, ctx.req.headers.authorization, Date.now());
  call.key = key;

  const request = surface.parse(await readBody(ctx.req, deps.maxBodyBytes));
  call.request = request;

  const model = resolveModel(snapshot, key, request, surface);
  call.model = model;

  const candidates = selectCandidates(model, surface);
  call.deployment = candidates[0];
  ctx.headers.push("x-switchyard-model", model.name);

  for (const enforcer of deps.enforcers) {
    const admitted = enforcer.admit(call, deps);
    const hold = admitted instanceof Promise ? await admitted : admitted;
    if (hold !== null) call.holds.push(hold);
  }
  // A client that left while an enforcer waited on the store is not worth an upstream call.
  if (ctx.res.destroyed) throw new ClientGoneError();

  // x-switchyard-deployment names the deployment that answered (or gave the error), once.
  let namedAt = -1;
  const nameDeployment = () => {
    if (namedAt < 0 && call.deployment !== null) {
      namedAt = ctx.headers.push("x-switchyard-deployment", call.deployment.id) - 2;
    }
  };
  let failure: Awaited<ReturnType<typeof attemptWithFailover>>;
  try {
    failure = await attemptWithFailover(call, deps, {
      // A prompt counted as too long for a deployment tries the ones it fits first.
      candidates: preferFitting(candidates, request.promptTokens, contextWindow),
      request: (deployment) => ({
        path: operationPath(deployment, surface.operation)!,
        body: surface.upstreamBody(request, deployment),
      }),
      async relay(_deployment, upstream, attempt) {
        nameDeployment();
        try {
          await surface.relay(call, deps, request, upstream, attempt);
        } catch (err) {
          // Nothing of this answer went out: the deployment failed over to is named instead.
          if (err instanceof NothingRelayedError) {
            ctx.headers.splice(namedAt, 2);
            namedAt = -1;
          }
          throw err;
        }
      },
      contextWindow,
    });
  } catch (err) {
    if (!(err instanceof ClientGoneError)) nameDeployment();
    throw err;
  }
  if (failure !== null) {
    nameDeployment();
    if (failure.retryAfter !== null) ctx.headers.push("retry-after", failure.retryAfter);
    sendAnswer(call, failure.status, "application/json", failure.body);
  }
}

/** Answers a call that failed before (or instead of) its answer, in OpenAI's error shape. */
function refuse(call: ModelCall, err: AppError): void {
  const { ctx } = call;
  call.errorCode = err.code;
  call.status = err.status;
  ctx.headers.push("x-switchyard-attempts", String(call.attempts));
  // The rest of an oversized body is not read: the connection cannot be reused.
  if (err.code === "payload_too_large") ctx.headers.push("connection", "close");
  sendError(ctx.res, err, ctx.headers);
}

/** Runs one model call of `surface` through every stage, then settles and records it. */
export async function runModelCall<R extends ModelRequest>(
  ctx: RequestContext,
  deps: ProxyDeps,
  surface: Surface<R>,
): Promise<void> {
  const call = new ModelCall(ctx, new UsageMeter());
  try {
    await runStages(call, deps, surface);
  } catch (err) {
    if (err instanceof ClientGoneError) {
      call.status = clientClosedStatus;
    } else {
      const appError = toAppError(err);
      if (appError.code === "internal_error") {
        deps.log.error(`${surface.name} failed unexpectedly`, {
          requestId: ctx.requestId,
          ...errorFields(err),
        });
      }
      refuse(call, appError);
    }
  } finally {
    finishCall(call, deps);
  }
}
