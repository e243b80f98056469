/** The mock provider: an OpenAI-compatible fake LLM upstream with latency and fault knobs. */
export { defaultKnobs, type KnobName, type Knobs, knobSpecs } from "./knobs.ts";
export {
  createMockProvider,
  type Endpoint,
  type MockProvider,
  type MockProviderOptions,
  type MockStats,
  malformedSseEvent,
  type RecordedRequest,
} from "./server.ts";
export {
  contentText,
  estimatePromptTokens,
  estimateTokens,
  mockEmbedding,
  mockJsonReplyTokens,
  mockReplyText,
  mockReplyTokens,
  replyPrimingTokens,
  tokensPerMessage,
} from "./tokens.ts";
