/** What the `routing.*` procedures return: deployments and aliases as the dashboard shows them. */
import type { ModelKind, RoutingStrategy } from "../config/providers.ts";
import type { ProviderTestOutcome } from "../providers/inputs.ts";

export type DeploymentView = {
  id: string;
  providerId: string;
  providerName: string;
  upstreamModel: string;
  kind: ModelKind;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  region: string | null;
  tags: string[];
  timeouts: {
    connectMs: number;
    firstByteMs: number;
    firstTokenMs: number | null;
    betweenChunksMs: number | null;
    totalMs: number;
  };
  pricing: { inputMicrosPerMTok: number; outputMicrosPerMTok: number };
  /** Names of the aliases that route to it, sorted. */
  usedBy: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type AliasTargetView = {
  deploymentId: string;
  providerName: string;
  upstreamModel: string;
  weight: number;
  /** 0 first: the order `priority` tries them in. */
  position: number;
};

export type AliasView = {
  id: string;
  name: string;
  kind: ModelKind;
  strategy: RoutingStrategy;
  targets: AliasTargetView[];
  /** Non-revoked keys whose allowed models name this alias. */
  keys: { id: string; name: string }[];
  version: number;
  createdAt: string;
  updatedAt: string;
};

/**
 * A provider's model list: the connection test's outcome class, and each model id it listed
 * (ids only, and only ones that look like model names), with whether a deployment has it already.
 */
export type DiscoveredModels = {
  outcome: ProviderTestOutcome;
  models: { upstreamModel: string; added: boolean }[];
};
