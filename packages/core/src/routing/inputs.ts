/**
 * Routing contracts: the inputs of the control plane's `routing.deployments.*` and
 * `routing.aliases.*` procedures (the dashboard reuses them for its forms). A deployment is one
 * upstream model of one provider, with its limits, timeouts and price; an alias is a name clients
 * send, mapped to 1..20 deployments in order (priority) or by weight (weighted). Browser-safe.
 * What needs the database (the deployments exist, their kinds match the alias's, names are free)
 * is checked by the control plane, as field errors on the same fields.
 */
import { z } from "zod";
import { ModelKind, RoutingStrategy } from "../config/providers.ts";
import { IdempotencyKey } from "../keys/inputs.ts";
import { maxInt32 } from "../usage/event.ts";
import { text } from "../validation/text.ts";

/** The longest any one call may take, and so every timeout's ceiling: 10 minutes. */
export const maxTotalTimeoutMs = 600_000;
export const maxTargetWeight = 1000;
export const maxAliasTargets = 20;

/** What a deployment created without timeouts gets (the proxy's limits before deployments had their own). */
export const defaultDeploymentTimeouts = {
  connectMs: 5000,
  firstByteMs: 60_000,
  firstTokenMs: null,
  betweenChunksMs: null,
  totalMs: maxTotalTimeoutMs,
} as const;

/** The model name the provider expects, as its model list names it. */
export const UpstreamModelName = text({ error: "Enter the provider's model name" })
  .trim()
  .min(1, "Enter the provider's model name")
  .max(200, "At most 200 characters");

/**
 * An alias: what clients send as `model` and keys' allowed models name. No spaces, so it reads
 * the same in a request body, a header and a key's list.
 */
export const AliasName = text({ error: "Give the alias a name" })
  .trim()
  .min(1, "Give the alias a name")
  .max(200, "At most 200 characters")
  .regex(/^\S*$/, "No spaces: clients send this name as `model`");

const timeout = (what: string) =>
  z
    .number({ error: `Enter the ${what} timeout in milliseconds` })
    .int(`The ${what} timeout is a whole number of milliseconds`)
    .positive(`The ${what} timeout must be at least 1 ms`)
    .max(maxTotalTimeoutMs, `The ${what} timeout must be at most ${maxTotalTimeoutMs} ms (10 minutes)`);

/**
 * A deployment's timeouts. First token and between chunks apply to streams; null means none of
 * its own (the total applies). Each is at most the total: a longer one could never fire.
 */
export const DeploymentTimeouts = z
  .object({
    connectMs: timeout("connect"),
    firstByteMs: timeout("first byte"),
    firstTokenMs: timeout("first token").nullable(),
    betweenChunksMs: timeout("between chunks").nullable(),
    totalMs: timeout("total"),
  })
  .superRefine((t, ctx) => {
    const parts = [
      ["connectMs", "connect", t.connectMs],
      ["firstByteMs", "first byte", t.firstByteMs],
      ["firstTokenMs", "first token", t.firstTokenMs],
      ["betweenChunksMs", "between chunks", t.betweenChunksMs],
    ] as const;
    for (const [key, what, ms] of parts) {
      if (ms !== null && ms > t.totalMs)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `The ${what} timeout (${ms} ms) is longer than the total timeout (${t.totalMs} ms): it could never fire`,
        });
    }
  });
export type DeploymentTimeouts = z.infer<typeof DeploymentTimeouts>;

const price = (what: string) =>
  z
    .number({ error: `Enter the ${what} price in micro-dollars per million tokens` })
    .int(`The ${what} price is a whole number of micro-dollars`)
    .min(0, `The ${what} price cannot be negative`)
    .max(1_000_000_000_000, `The ${what} price must be at most 1,000,000,000,000 micro-dollars`);

/** The admin-set price, in micro-dollars per million tokens, until the spend issue brings price lists. */
export const DeploymentPricing = z.object({
  inputMicrosPerMTok: price("input"),
  outputMicrosPerMTok: price("output"),
});
export type DeploymentPricing = z.infer<typeof DeploymentPricing>;

const tokenLimit = (what: string) =>
  z
    .number({ error: `Enter the ${what} in tokens, or leave it empty` })
    .int(`The ${what} is a whole number of tokens`)
    .positive(`The ${what} must be at least 1 token; leave it empty when unknown`)
    .max(100_000_000, `The ${what} must be at most 100,000,000 tokens`)
    .nullable();

export const DeploymentTags = z
  .array(text().trim().min(1, "A tag cannot be empty").max(40, "Each tag must be at most 40 characters"))
  .max(20, "Use at most 20 tags")
  .refine((tags) => new Set(tags).size === tags.length, "Each tag only once");

/** The fields of a deployment's form, each optional on create (defaults) and on update (unchanged). */
export const DeploymentFields = z.object({
  providerId: z.uuid("Choose a provider"),
  upstreamModel: UpstreamModelName,
  kind: ModelKind,
  contextWindow: tokenLimit("context window"),
  maxOutputTokens: tokenLimit("max output tokens"),
  region: text()
    .trim()
    .min(1, "Leave the region empty, or name it")
    .max(64, "At most 64 characters")
    .nullable(),
  tags: DeploymentTags,
  timeouts: DeploymentTimeouts,
  pricing: DeploymentPricing,
});

export const CreateDeploymentInput = DeploymentFields.partial({
  contextWindow: true,
  maxOutputTokens: true,
  region: true,
  tags: true,
  timeouts: true,
  pricing: true,
}).extend({ idempotencyKey: IdempotencyKey.optional() });
export type CreateDeploymentInput = z.infer<typeof CreateDeploymentInput>;

/** `version` is the one the form was opened with; a stale one is refused (optimistic concurrency). */
export const UpdateDeploymentInput = DeploymentFields.partial().extend({
  id: z.uuid("Not a deployment id"),
  version: z.number().int().min(1).max(maxInt32),
});
export type UpdateDeploymentInput = z.infer<typeof UpdateDeploymentInput>;

export const DeploymentIdInput = z.object({ id: z.uuid("Not a deployment id") });
export type DeploymentIdInput = z.infer<typeof DeploymentIdInput>;

/** Lists a provider's models (through the same connection code as the connection test). */
export const DiscoverDeploymentsInput = z.object({ providerId: z.uuid("Choose a provider") });
export type DiscoverDeploymentsInput = z.infer<typeof DiscoverDeploymentsInput>;

export const AliasTargetInput = z.object({
  deploymentId: z.uuid("Choose a deployment"),
  /** Its share under `weighted`; listed but unused under `priority`. */
  weight: z
    .number({ error: "Enter a weight from 0 to 1000" })
    .int("The weight is a whole number")
    .min(0, "The weight must be 0 or more")
    .max(maxTargetWeight, `The weight must be at most ${maxTargetWeight}`),
});
export type AliasTargetInput = z.infer<typeof AliasTargetInput>;

/** In order: the first is tried first under `priority`. */
export const AliasTargets = z
  .array(AliasTargetInput)
  .min(1, "Add at least one deployment")
  .max(maxAliasTargets, `At most ${maxAliasTargets} deployments per alias`)
  .superRefine((targets, ctx) => {
    const seen = new Set<string>();
    targets.forEach((t, i) => {
      if (seen.has(t.deploymentId))
        ctx.addIssue({
          code: "custom",
          path: [i, "deploymentId"],
          message: `Deployment ${i + 1} is listed twice: each deployment once per alias`,
        });
      seen.add(t.deploymentId);
    });
  });

/** Weighted needs some weight to share out. */
function refineWeights(v: { strategy: RoutingStrategy; targets: AliasTargetInput[] }, ctx: z.RefinementCtx) {
  if (v.strategy === "weighted" && v.targets.length > 0 && v.targets.every((t) => t.weight === 0))
    ctx.addIssue({
      code: "custom",
      path: ["targets"],
      message: "All weights are 0: with weighted routing at least one deployment needs a weight above 0",
    });
}

export const AliasFields = z.object({
  name: AliasName,
  kind: ModelKind,
  strategy: RoutingStrategy,
  targets: AliasTargets,
});

export const CreateAliasInput = AliasFields.extend({ idempotencyKey: IdempotencyKey.optional() }).superRefine(
  refineWeights,
);
export type CreateAliasInput = z.infer<typeof CreateAliasInput>;

/** The kind stays (keys and clients rely on it); name, strategy and targets change. */
export const UpdateAliasInput = AliasFields.omit({ kind: true })
  .extend({
    id: z.uuid("Not an alias id"),
    version: z.number().int().min(1).max(maxInt32),
  })
  .superRefine(refineWeights);
export type UpdateAliasInput = z.infer<typeof UpdateAliasInput>;

export const AliasIdInput = z.object({ id: z.uuid("Not an alias id") });
export type AliasIdInput = z.infer<typeof AliasIdInput>;
