/** How the provider forms name each kind and what base URL they suggest for it. */
import type { ProviderKind } from "@switchyard/core";

export const providerKinds: ReadonlyArray<{ kind: ProviderKind; label: string; baseUrlHint: string }> = [
  {
    kind: "openai",
    label: "OpenAI-compatible",
    baseUrlHint: "https://api.openai.com/v1 (vLLM, TGI, SGLang, Azure: their /v1 URL)",
  },
  { kind: "anthropic", label: "Anthropic", baseUrlHint: "https://api.anthropic.com" },
];

export function kindLabel(kind: ProviderKind): string {
  return providerKinds.find((k) => k.kind === kind)?.label ?? kind;
}

export function baseUrlPlaceholder(kind: ProviderKind): string {
  return kind === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1";
}

/** A stored credential as lists show it: never more than its last 4 characters. */
export function maskedKey(last4: string): string {
  return last4 ? `•••• ${last4}` : "••••";
}
