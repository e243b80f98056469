/**
 * Cheap token counting for the hot path: a rough prompt estimate from the request (about four
 * characters per token, as OpenAI's rule of thumb), and scans of upstream bytes for the provider's
 * `usage` numbers and for streamed text, without parsing whole bodies or allocating strings.
 */

/** Tokens per message for role and framing, as OpenAI's chat format adds. */
const perMessageTokens = 4;

/**
 * UTF-8 bytes of a message's text. Bytes, not characters: a token is rarely under 3 bytes in
 * scripts that take 3 bytes a character (CJK), where characters / 4 would count a quarter of them.
 */
function textBytes(content: unknown): number {
  if (typeof content === "string") return Buffer.byteLength(content);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) {
    if (typeof part === "object" && part !== null) {
      const text = (part as { text?: unknown }).text;
      if (typeof text === "string") n += Buffer.byteLength(text);
    }
  }
  return n;
}

/** About how many prompt tokens `messages` hold (UTF-8 bytes / 4 plus framing); no tokenizer. */
export function estimatePromptTokens(messages: readonly unknown[]): number {
  let bytes = 0;
  for (const message of messages) {
    if (typeof message !== "object" || message === null) continue;
    bytes += textBytes((message as { content?: unknown }).content);
  }
  return Math.ceil(bytes / 4) + perMessageTokens * messages.length;
}

/** The completion bound a chat request sets (`max_completion_tokens`, else `max_tokens`), null if none. */
export function completionBound(body: Record<string, unknown>): number | null {
  const bound = body.max_completion_tokens ?? body.max_tokens;
  return typeof bound === "number" && Number.isSafeInteger(bound) && bound > 0 ? bound : null;
}

const promptNeedle = Buffer.from('"prompt_tokens"');
const completionNeedle = Buffer.from('"completion_tokens"');
const usageNeedle = Buffer.from('"usage"');
const contentNeedle = Buffer.from('"content":"');
const argumentsNeedle = Buffer.from('"arguments":"');

/** The non-negative integer after `"name"` and its colon at `at`, or -1. */
function integerAfter(buf: Buffer, at: number, needleLength: number): number {
  let i = at + needleLength;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x3a || buf[i] === 0x0a || buf[i] === 0x0d)) i++;
  let value = -1;
  while (i < buf.length) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) break;
    value = (value < 0 ? 0 : value * 10) + (c - 0x30);
    i++;
  }
  return value;
}

export type ReportedUsage = { promptTokens: number; completionTokens: number };

/**
 * The `usage` a provider reported in an OpenAI-shaped JSON body or SSE chunk, or null when there is
 * none (absent, or `"usage":null` as streams send before their last chunk).
 */
export function scanUsage(buf: Buffer): ReportedUsage | null {
  const usage = buf.lastIndexOf(usageNeedle);
  if (usage === -1) return null;
  const promptTokens = usageField(buf, usage, promptNeedle);
  const completionTokens = usageField(buf, usage, completionNeedle);
  if (promptTokens < 0 || completionTokens < 0) return null;
  return { promptTokens, completionTokens };
}

/**
 * `usage.prompt_tokens` of an OpenAI-shaped embeddings answer, or -1 when it has none. The usage
 * comes after the vectors, so the answer (megabytes of floats for a batch) is scanned, not parsed.
 */
export function scanPromptTokens(buf: Buffer): number {
  const usage = buf.lastIndexOf(usageNeedle);
  return usage === -1 ? -1 : usageField(buf, usage, promptNeedle);
}

/** The integer field `needle` names after the `"usage"` at `usage`, or -1. */
function usageField(buf: Buffer, usage: number, needle: Buffer): number {
  const at = buf.indexOf(needle, usage);
  return at === -1 ? -1 : integerAfter(buf, at, needle.length);
}

function stringBytesAfter(buf: Buffer, needle: Buffer): number {
  let total = 0;
  let at = buf.indexOf(needle);
  while (at !== -1) {
    let i = at + needle.length;
    const start = i;
    while (i < buf.length && buf[i] !== 0x22) i += buf[i] === 0x5c ? 2 : 1;
    total += Math.min(i, buf.length) - start;
    at = i < buf.length ? buf.indexOf(needle, i) : -1;
  }
  return total;
}

/** Bytes of generated text (message content and tool-call arguments) in a JSON body or SSE chunk. */
export function generatedTextBytes(buf: Buffer): number {
  return stringBytesAfter(buf, contentNeedle) + stringBytesAfter(buf, argumentsNeedle);
}

/** Completion tokens for generated text when the provider reported none: about four bytes per token. */
export function tokensForBytes(bytes: number): number {
  return Math.ceil(bytes / 4);
}
