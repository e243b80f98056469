/** How the provider forms name each kind and what base URL they suggest for it (core's kind table). */
import { type ProviderKind, providerKindList, providerKinds } from "@switchyard/core";

export { providerKindList };

export function kindLabel(kind: ProviderKind): string {
  return providerKinds[kind].label;
}

export function baseUrlPlaceholder(kind: ProviderKind): string {
  return providerKinds[kind].defaultBaseUrl;
}

/** A stored credential as lists show it: never more than its last 4 characters. */
export function maskedKey(last4: string): string {
  return last4 ? `•••• ${last4}` : "••••";
}
