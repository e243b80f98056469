/**
 * What one request used, gathered on its way through a route: the key, the model and deployment,
 * the rate-limit reservation, and the tokens the provider reported (or the text it streamed, when
 * the client left before the `usage` chunk). `finishUsage` turns it into the request's UsageEvent.
 */
import { performance } from "node:perf_hooks";
import type { CompiledDeployment, CompiledKey } from "../config/compile.ts";
import type { RateLimitReservation } from "../limits/rate-limit.ts";
import type { ChatStreamTranslator } from "../providers/types.ts";
import { completionBound, estimatePromptTokens, generatedTextBytes, scanUsage } from "./tokens.ts";

export class UsageMeter {
  /** null until the key is authenticated; requests without one are billed to nobody. */
  key: CompiledKey | null = null;
  /** The model the client asked for ("" until the body is read). */
  model = "";
  /** Whether `model` names a model of the snapshot (its price applies). */
  modelKnown = false;
  deployment: CompiledDeployment | null = null;
  stream = false;
  promptEstimate = 0;
  /** Prompt estimate plus the completion bound: what the tpm limit reserves. */
  tokenReservation = 0;
  reservation: RateLimitReservation | null = null;
  /** Whether the upstream began a successful answer (its prompt was processed). */
  answered = false;
  /** As the provider reported them; -1 while unknown. */
  promptTokens = -1;
  completionTokens = -1;
  /** Bytes of generated text seen, for an estimate when no usage was reported. */
  generatedBytes = 0;
  /** ms from arrival to the first streamed chunk; -1 if none. */
  ttftMs = -1;
  /** The error code the client got, if it got one. */
  errorCode: string | null = null;
  /** Set once the event is recorded, so a request never yields two. */
  finished = false;
  /** A stream translated from another provider's format knows the usage that provider reported. */
  translator: ChatStreamTranslator | null = null;

  /** The deployment chosen to serve the request: its model is known and priced. */
  routed(deployment: CompiledDeployment): void {
    this.deployment = deployment;
    this.modelKnown = true;
  }

  /** Records what the client asked for, once its body is parsed. */
  requested(body: Record<string, unknown> & { model: string; messages?: unknown[] }): void {
    this.model = body.model;
    this.stream = body.stream === true;
    this.promptEstimate = Array.isArray(body.messages) ? estimatePromptTokens(body.messages) : 0;
    this.tokenReservation = this.promptEstimate + completionBound(body);
  }

  /** A successful non-streaming answer (OpenAI-shaped JSON). */
  readAnswer(answer: Buffer): void {
    this.answered = true;
    const usage = scanUsage(answer);
    if (usage !== null) {
      this.promptTokens = usage.promptTokens;
      this.completionTokens = usage.completionTokens;
    } else {
      this.generatedBytes += generatedTextBytes(answer);
    }
  }

  /** One chunk of a successful stream (OpenAI-shaped SSE), as sent to the client. */
  readChunk(chunk: Buffer, startedAt: number): void {
    if (!this.answered) {
      this.answered = true;
      this.ttftMs = Math.round(performance.now() - startedAt);
    }
    this.generatedBytes += generatedTextBytes(chunk);
    const usage = scanUsage(chunk);
    if (usage !== null) {
      this.promptTokens = usage.promptTokens;
      this.completionTokens = usage.completionTokens;
    }
  }
}
