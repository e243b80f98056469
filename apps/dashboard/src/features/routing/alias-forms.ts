/**
 * The alias dialogs' form: name, kind, strategy and the ordered targets as typed (weights are text
 * boxes), core's inputs out, so the rules and messages are core's (`CreateAliasInput`,
 * `UpdateAliasInput`: 1 to 20 targets, no repeats, kinds that match, weights not all 0).
 */
import {
  type AliasView,
  CreateAliasInput,
  ModelKind,
  RoutingStrategy,
  type UpdateAliasInput,
} from "@switchyard/core";
import { z } from "zod";
import { parseInto } from "../../components/form/parse-into.ts";

export const strategyLabels: Record<RoutingStrategy, string> = {
  priority: "Ordered priority",
  weighted: "Weighted",
};

export const strategyDescriptions: Record<RoutingStrategy, string> = {
  priority: "The first target serves every request; the others are kept in this order.",
  weighted: "Each request goes to a target at random, in proportion to its weight.",
};

const AliasFormFields = z.object({
  name: z.string(),
  kind: ModelKind,
  strategy: RoutingStrategy,
  targets: z.array(z.object({ deploymentId: z.string(), weight: z.string() })),
});
export type AliasFormValues = z.input<typeof AliasFormFields>;

export const emptyAliasForm: AliasFormValues = { name: "", kind: "chat", strategy: "priority", targets: [] };

/** A weight box: a whole number; a priority alias keeps what was typed but does not read it. */
function readTargets(v: AliasFormValues, ctx: z.RefinementCtx) {
  let ok = true;
  const targets = v.targets.map((t, i) => {
    const trimmed = t.weight.trim();
    if (v.strategy === "weighted" && !/^\d+$/.test(trimmed)) {
      ctx.addIssue({ code: "custom", path: ["targets", i, "weight"], message: "Enter a whole number" });
      ok = false;
    }
    return { deploymentId: t.deploymentId, weight: /^\d+$/.test(trimmed) ? Number(trimmed) : 1 };
  });
  return { targets, ok };
}

export const CreateAliasForm = AliasFormFields.transform((v, ctx) => {
  const { targets, ok } = readTargets(v, ctx);
  const input = parseInto(
    CreateAliasInput,
    { name: v.name, kind: v.kind, strategy: v.strategy, targets },
    ctx,
  );
  return ok ? input : z.NEVER;
});

/** What an edit sends besides the id and version: the create's fields without the kind. */
export type UpdateAliasFields = Omit<UpdateAliasInput, "id" | "version">;

/**
 * The edit form: the kind is the alias's own (its targets and the keys that call it depend on it).
 * The update's rules are the create's, kind aside, so the alias's own kind goes through the create's
 * schema (core's update schema has refinements, which zod cannot omit the id and version from).
 */
export const EditAliasForm = AliasFormFields.transform((v, ctx): UpdateAliasFields => {
  const { targets, ok } = readTargets(v, ctx);
  const input = parseInto(
    CreateAliasInput,
    { name: v.name, kind: v.kind, strategy: v.strategy, targets },
    ctx,
  );
  if (!ok) return z.NEVER;
  return { name: input.name, strategy: input.strategy, targets: input.targets };
});

export function aliasToForm(alias: AliasView | null): AliasFormValues {
  if (!alias) return emptyAliasForm;
  return {
    name: alias.name,
    kind: alias.kind,
    strategy: alias.strategy,
    targets: [...alias.targets]
      .sort((a, b) => a.position - b.position)
      .map((t) => ({ deploymentId: t.deploymentId, weight: String(t.weight) })),
  };
}

/** "2 deployments", "1 deployment". */
export function targetsSummary(count: number): string {
  return `${count} deployment${count === 1 ? "" : "s"}`;
}
