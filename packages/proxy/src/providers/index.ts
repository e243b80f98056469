/**
 * Provider adapters by kind. A kind without an adapter yet (anthropic, until its issue lands)
 * compiles to a deployment that answers `upstream_error` instead of failing the whole snapshot.
 */
import type { ProviderKind } from "@switchyard/core";
import { openaiProvider } from "./openai.ts";
import type { ProviderAdapter } from "./types.ts";

export const providerAdapters: Partial<Record<ProviderKind, ProviderAdapter>> = {
  openai: openaiProvider,
};

export type { ProviderAdapter, ProviderOperation, Usage } from "./types.ts";
