/**
 * The deployment dialogs' forms: values as typed (numbers and prices are text boxes), core's inputs
 * out, so the rules and messages are core's (`CreateDeploymentInput`, `UpdateDeploymentInput`).
 * Prices are typed in dollars per million tokens and sent as whole micro-dollars.
 */
import {
  CreateDeploymentInput,
  type DeploymentView,
  ModelKind,
  UpdateDeploymentInput,
} from "@switchyard/core";
import { z } from "zod";
import { dollarsToMicros, microsToDollars } from "./money.ts";

/** What a new deployment gets when the Timeouts group is left alone (the database's defaults). */
export const defaultTimeouts = { connectMs: 5_000, firstByteMs: 60_000, totalMs: 600_000 } as const;

const timeoutNames = ["connectMs", "firstByteMs", "firstTokenMs", "betweenChunksMs", "totalMs"] as const;

/** A deployment's settings as typed: the same for every model one "Add deployments" adds. */
const settingsShape = {
  kind: ModelKind,
  contextWindow: z.string(),
  maxOutputTokens: z.string(),
  region: z.string(),
  /** Comma-separated. */
  tags: z.string(),
  timeouts: z.object(
    Object.fromEntries(timeoutNames.map((n) => [n, z.string()])) as Record<
      (typeof timeoutNames)[number],
      z.ZodString
    >,
  ),
  /** Dollars per million tokens. */
  inputPrice: z.string(),
  outputPrice: z.string(),
};
type SettingsValues = z.infer<z.ZodObject<typeof settingsShape>>;

export const emptySettings: SettingsValues = {
  kind: "chat",
  contextWindow: "",
  maxOutputTokens: "",
  region: "",
  tags: "",
  timeouts: {
    connectMs: String(defaultTimeouts.connectMs),
    firstByteMs: String(defaultTimeouts.firstByteMs),
    firstTokenMs: "",
    betweenChunksMs: "",
    totalMs: String(defaultTimeouts.totalMs),
  },
  inputPrice: "",
  outputPrice: "",
};

type Issue = { path: (string | number)[]; message: string };

/** A whole number typed in a box: null for an empty box, undefined for what is not one. */
function wholeNumber(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** The settings as the input schemas read them, and what a text box could not say. */
function readSettings(v: SettingsValues) {
  const issues: Issue[] = [];
  const number = (path: (string | number)[], text: string): number | null => {
    const n = wholeNumber(text);
    if (n === undefined) {
      issues.push({ path, message: "Enter a whole number, or leave it empty" });
      return null;
    }
    return n;
  };
  const price = (field: "inputPrice" | "outputPrice"): number => {
    const micros = dollarsToMicros(v[field]);
    if (micros === null) {
      issues.push({ path: [field], message: "Enter a price in dollars, such as 2.50 (at most 6 decimals)" });
      return 0;
    }
    return micros;
  };
  const timeouts = {
    connectMs: number(["timeouts", "connectMs"], v.timeouts.connectMs) ?? defaultTimeouts.connectMs,
    firstByteMs: number(["timeouts", "firstByteMs"], v.timeouts.firstByteMs) ?? defaultTimeouts.firstByteMs,
    firstTokenMs: number(["timeouts", "firstTokenMs"], v.timeouts.firstTokenMs),
    betweenChunksMs: number(["timeouts", "betweenChunksMs"], v.timeouts.betweenChunksMs),
    totalMs: number(["timeouts", "totalMs"], v.timeouts.totalMs) ?? defaultTimeouts.totalMs,
  };
  const fields = {
    kind: v.kind,
    contextWindow: number(["contextWindow"], v.contextWindow),
    maxOutputTokens: number(["maxOutputTokens"], v.maxOutputTokens),
    region: v.region.trim() === "" ? null : v.region.trim(),
    tags: [
      ...new Set(
        v.tags
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ],
    timeouts,
    pricing: { inputMicrosPerMTok: price("inputPrice"), outputMicrosPerMTok: price("outputPrice") },
  };
  return { fields, issues };
}

/** Core names a price by its stored field; the form by its dollars box. */
function formPath(path: readonly PropertyKey[], upstreamModelField: string): (string | number)[] {
  const [first, second] = path;
  if (first === "pricing") return [second === "outputMicrosPerMTok" ? "outputPrice" : "inputPrice"];
  if (first === "upstreamModel") return [upstreamModelField];
  if (first === "providerId") return ["providerId"];
  return path.map((p) => (typeof p === "number" ? p : String(p)));
}

/** Parses with core's schema and reports its issues on the form's fields. */
function parseWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  ctx: z.RefinementCtx,
  seen: Set<string>,
  upstreamModelField: string,
): T | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const path = formPath(issue.path, upstreamModelField);
    // Several models share the settings: say each problem once.
    const id = `${path.join(".")}:${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    ctx.addIssue({ code: "custom", path, message: issue.message });
  }
  return undefined;
}

/**
 * The "Add deployments" form: a provider, the discovered models ticked and one typed in, and the
 * settings they all get. Its output is one create input per model.
 */
export const AddDeploymentsForm = z
  .object({
    providerId: z.string(),
    /** Discovered models that are ticked. */
    models: z.array(z.string()),
    /** A model name typed in (one the provider does not list, or before discovering). */
    typedModel: z.string(),
    ...settingsShape,
  })
  .transform(({ providerId, models, typedModel, ...settings }, ctx) => {
    if (providerId === "") {
      ctx.addIssue({ code: "custom", path: ["providerId"], message: "Choose a provider" });
      return z.NEVER;
    }
    const typed = typedModel.trim();
    const names = [...new Set(typed === "" ? models : [...models, typed])];
    if (names.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["typedModel"],
        message: "Tick a discovered model or type the upstream model's name",
      });
    }
    const { fields, issues } = readSettings(settings);
    for (const issue of issues) ctx.addIssue({ code: "custom", ...issue });
    const seen = new Set<string>();
    const inputs = names.map((upstreamModel) =>
      parseWith(CreateDeploymentInput, { providerId, upstreamModel, ...fields }, ctx, seen, "typedModel"),
    );
    if (names.length === 0 || issues.length > 0 || inputs.some((i) => i === undefined)) return z.NEVER;
    return inputs as CreateDeploymentInput[];
  });
export type AddDeploymentsFormValues = z.input<typeof AddDeploymentsForm>;

export const emptyAddDeploymentsForm: AddDeploymentsFormValues = {
  providerId: "",
  models: [],
  typedModel: "",
  ...emptySettings,
};

const UpdateDeploymentFields = UpdateDeploymentInput.omit({ id: true, version: true });
export type UpdateDeploymentFields = z.infer<typeof UpdateDeploymentFields>;

/** The edit form: the settings of one deployment (its provider and upstream model stay). */
export const EditDeploymentForm = z.object(settingsShape).transform((settings, ctx) => {
  const { fields, issues } = readSettings(settings);
  for (const issue of issues) ctx.addIssue({ code: "custom", ...issue });
  const input = parseWith(UpdateDeploymentFields, fields, ctx, new Set(), "upstreamModel");
  return issues.length > 0 || input === undefined ? z.NEVER : input;
});
export type EditDeploymentFormValues = z.input<typeof EditDeploymentForm>;

const text = (n: number | null) => (n === null ? "" : String(n));

export function deploymentToForm(d: DeploymentView | null): EditDeploymentFormValues {
  if (!d) return emptySettings;
  return {
    kind: d.kind,
    contextWindow: text(d.contextWindow),
    maxOutputTokens: text(d.maxOutputTokens),
    region: d.region ?? "",
    tags: d.tags.join(", "),
    timeouts: {
      connectMs: text(d.timeouts.connectMs),
      firstByteMs: text(d.timeouts.firstByteMs),
      firstTokenMs: text(d.timeouts.firstTokenMs),
      betweenChunksMs: text(d.timeouts.betweenChunksMs),
      totalMs: text(d.timeouts.totalMs),
    },
    inputPrice: microsToDollars(d.pricing.inputMicrosPerMTok),
    outputPrice: microsToDollars(d.pricing.outputMicrosPerMTok),
  };
}
