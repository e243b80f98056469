/**
 * The shapes of the model-call pipeline (pipeline.ts): what a request carries through its stages
 * (`ModelCall`), what an API surface supplies (`Surface`: chat completions, embeddings), and what a
 * feature plugs in (`Enforcer`: rate limits now; budgets and moderation next). A feature is an
 * enforcer, a resolver, a selector or a stream transform; it never writes its own copy of the stages.
 */
import type { Dispatcher } from "undici";
import type { CompiledDeployment, CompiledKey, CompiledModel } from "../config/compile.ts";
import type { ProxyDeps, RequestContext } from "../http/context.ts";
import type { ProviderOperation } from "../providers/types.ts";
import type { UsageMeter } from "../usage/meter.ts";
import type { Attempt } from "./attempt.ts";

/** What the parse stage makes of a request body, whatever the API surface. */
export type ModelRequest = {
  /** The body as a JSON object; forwarded as sent (the model name aside) by OpenAI-shaped upstreams. */
  readonly body: Record<string, unknown> & { model: string };
  /** The model the client asked for. */
  readonly model: string;
  readonly stream: boolean;
  /** Prompt tokens counted from the request (before the provider reports its own). */
  readonly promptTokens: number;
  /** The completion bound the client set (`max_completion_tokens`, else `max_tokens`); null: none. */
  readonly maxCompletionTokens: number | null;
};

/** The numbers a call settles with: the provider's own usage where it reported it, else estimates. */
export type CallUsage = {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Exact cost in integer micro-dollars, at the price of the deployment that answered. */
  readonly costMicros: number;
  /** The HTTP status the client got (499 when it went away). */
  readonly status: number;
};

/**
 * What an enforcer holds for one admitted call (a reservation). The pipeline settles every hold it
 * was given exactly once, whatever happened after: answered, refused by a later enforcer, failed
 * upstream, or abandoned by the client.
 */
export type Hold = {
  settle(call: ModelCall, usage: CallUsage): void;
  /** Sees each chunk of a streamed answer as it goes to the client (e.g. cost accrual). */
  onChunk?(call: ModelCall, chunk: Buffer): void;
};

/**
 * A check that runs before the upstream call and is settled after it. `admit` throws an AppError
 * to refuse the call (its message says what to do), or returns what it holds for the call (null:
 * nothing to settle, e.g. an unlimited key). It runs once the key, the request and the deployment
 * are known, so it can read all three from `call`.
 */
export type Enforcer = {
  readonly name: string;
  admit(call: ModelCall, deps: ProxyDeps): Hold | null | Promise<Hold | null>;
};

/**
 * One API surface of the pipeline: how its bodies parse, which model kind and upstream operation it
 * serves, how the upstream request is built, and how a successful upstream answer is relayed.
 */
export type Surface<R extends ModelRequest = ModelRequest> = {
  /** For log lines: "chat completion", "embeddings request". */
  readonly name: string;
  readonly modelKind: CompiledModel["kind"];
  readonly operation: ProviderOperation;
  /** Parses and checks the body; throws `invalid_request` naming the field at fault. */
  parse(raw: Buffer): R;
  /** The upstream request body for `deployment`. */
  upstreamBody(request: R, deployment: CompiledDeployment): string;
  /** Relays a 2xx upstream answer and sets `call.status`; the attempt's timers still run. */
  relay(
    call: ModelCall,
    deps: ProxyDeps,
    request: R,
    upstream: Dispatcher.ResponseData,
    attempt: Attempt,
  ): Promise<void>;
};

/** nginx's "client closed request": the status counted when nobody was left to answer. */
export const clientClosedStatus = 499;

/** One model call on its way through the pipeline: what each stage learned, for the next ones. */
export class ModelCall {
  readonly ctx: RequestContext;
  key: CompiledKey | null = null;
  request: ModelRequest | null = null;
  model: CompiledModel | null = null;
  deployment: CompiledDeployment | null = null;
  /** Upstream requests made (a credential fallback makes two), for `x-switchyard-attempts`. */
  attempts = 0;
  /** What the enforcers hold, in admission order. */
  readonly holds: Hold[] = [];
  readonly meter: UsageMeter;
  /** The status the client got; 0 until an answer (or its absence) is settled. */
  status = 0;
  /** The error code the client got, if it got one. */
  errorCode: string | null = null;

  constructor(ctx: RequestContext, meter: UsageMeter) {
    this.ctx = ctx;
    this.meter = meter;
  }

  /** The model name for metrics: the resolved model, else "". */
  get modelLabel(): string {
    return this.model === null ? "" : this.model.name;
  }

  /** The provider name for metrics: the selected deployment's, else "". */
  get providerLabel(): string {
    return this.deployment === null ? "" : this.deployment.provider.name;
  }
}
