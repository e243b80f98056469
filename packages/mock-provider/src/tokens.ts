/**
 * The mock provider's deterministic "model": token estimates, reply text and embedding vectors.
 * Exported so that tests can compute the usage and content the mock will answer with.
 */

/** Characters per token in the estimate (the usual rule of thumb for English text). */
const charsPerToken = 4;
/** Tokens added per message for its role and framing, as OpenAI's chat format does. */
export const tokensPerMessage = 3;
/** Tokens that prime the assistant's reply, counted once per request. */
export const replyPrimingTokens = 3;

/** Estimated token count of a text: ceil(chars / 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / charsPerToken);
}

/** The text of a message's `content`: a string, or the `text` of each part of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) {
    if (typeof part === "object" && part !== null && typeof part.text === "string") text += part.text;
  }
  return text;
}

/**
 * Prompt tokens of a chat request: per message, 3 + estimateTokens(text of its content),
 * plus 3 for the reply priming.
 */
export function estimatePromptTokens(messages: readonly { readonly content?: unknown }[]): number {
  let tokens = replyPrimingTokens;
  for (const message of messages) tokens += tokensPerMessage + estimateTokens(contentText(message.content));
  return tokens;
}

/** Words appended, in turn, when the reply is longer than "Mock reply to: <prompt>". */
const fillerWords = [" lorem", " ipsum", " dolor", " sit", " amet", " consectetur", " adipiscing", " elit"];

/**
 * The reply to `prompt`, as exactly `count` tokens (each token is one streamed chunk):
 * the words of "Mock reply to: <first 40 chars of prompt>", then filler words, truncated to `count`.
 */
export function mockReplyTokens(prompt: string, count: number): string[] {
  const words = `Mock reply to: ${prompt.slice(0, 40)}`.trim().split(/\s+/);
  const tokens = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    if (i < words.length) tokens[i] = i === 0 ? words[0]! : ` ${words[i]}`;
    else tokens[i] = fillerWords[(i - words.length) % fillerWords.length]!;
  }
  return tokens;
}

/** The reply text to `prompt` of `count` tokens: `mockReplyTokens(prompt, count).join("")`. */
export function mockReplyText(prompt: string, count: number): string {
  return mockReplyTokens(prompt, count).join("");
}

/**
 * The reply in JSON mode (`response_format: {type: "json_object"}`): the same tokens, the first
 * opening `{"reply":"` and the last closing `"}`, so that the whole content is one JSON object.
 */
export function mockJsonReplyTokens(prompt: string, count: number): string[] {
  const tokens = mockReplyTokens(prompt, count);
  for (let i = 0; i < count; i++) tokens[i] = JSON.stringify(tokens[i]).slice(1, -1);
  if (count > 0) {
    tokens[0] = `{"reply":"${tokens[0]}`;
    tokens[count - 1] = `${tokens[count - 1]}"}`;
  }
  return tokens;
}

/**
 * A deterministic unit-length embedding of `text` (FNV-1a hash seeding xorshift32), with float32
 * components so that the `float` and `base64` encodings carry the same numbers.
 */
export function mockEmbedding(text: string, dimensions: number): number[] {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  let state = hash >>> 0 || 1;
  const vector = new Array<number>(dimensions);
  let norm = 0;
  for (let d = 0; d < dimensions; d++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const x = (state / 0x100000000) * 2 - 1;
    vector[d] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let d = 0; d < dimensions; d++) vector[d] = Math.fround(vector[d]! / norm);
  return vector;
}
