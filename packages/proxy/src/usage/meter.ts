/**
 * What the upstream's answer says was used, gathered as it is relayed: the tokens the provider
 * reported, or the text it generated (for an estimate when the client left before the `usage`
 * chunk), and the time to the first streamed chunk. `pipeline/finish.ts` turns it into the call's
 * usage.
 */
import { performance } from "node:perf_hooks";
import type { ChatStreamTranslator } from "../providers/types.ts";
import { generatedTextBytes, scanUsage } from "./tokens.ts";

export class UsageMeter {
  /** Whether the upstream began a successful answer (its prompt was processed). */
  answered = false;
  /** As the provider reported them; -1 while unknown. */
  promptTokens = -1;
  completionTokens = -1;
  /** Bytes of generated text seen, for an estimate when no usage was reported. */
  generatedBytes = 0;
  /** ms from arrival to the first streamed chunk; -1 if none. */
  ttftMs = -1;
  /** A stream translated from another provider's format knows the usage that provider reported. */
  translator: ChatStreamTranslator | null = null;

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
