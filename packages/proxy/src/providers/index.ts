/** Provider adapters by kind: every kind a snapshot can name has one. */
import type { ProviderKind } from "@switchyard/core";
import { anthropicProvider } from "./anthropic.ts";
import { openaiProvider } from "./openai.ts";
import type { ProviderAdapter } from "./types.ts";

export const providerAdapters: Readonly<Record<ProviderKind, ProviderAdapter>> = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
};

export type {
  ChatResponseTranslation,
  ChatStreamTranslator,
  ProviderAdapter,
  ProviderOperation,
  Usage,
} from "./types.ts";
