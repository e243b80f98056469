/**
 * The provider dialogs' forms: values as typed in, core's inputs out, so the rules and messages are
 * core's (`CreateProviderInput`, `UpdateProviderInput`, `baseUrlProblem`, `RotateProviderCredentialInput`).
 */
import {
  baseUrlProblem,
  CreateProviderInput,
  originChangeNeedsKey,
  ProviderKind,
  RotateProviderCredentialInput,
  sameOrigin,
  UpdateProviderInput,
} from "@switchyard/core";
import { z } from "zod";
import { parseInto } from "../../components/form/parse-into.ts";

export const CreateProviderForm = z
  .object({
    name: z.string(),
    kind: ProviderKind,
    baseUrl: z.string(),
    apiKey: z.string(),
    inCluster: z.boolean(),
  })
  // An empty API key box means "no key" (a local vLLM needs none).
  .transform(({ apiKey, ...rest }, ctx) =>
    parseInto(CreateProviderInput, apiKey.trim() === "" ? rest : { ...rest, apiKey }, ctx),
  );
export type CreateProviderFormValues = z.input<typeof CreateProviderForm>;

export const emptyProviderForm: CreateProviderFormValues = {
  name: "",
  kind: "openai",
  baseUrl: "",
  apiKey: "",
  inCluster: false,
};

const UpdateProviderFields = UpdateProviderInput.omit({ id: true, version: true });
export type UpdateProviderFields = z.infer<typeof UpdateProviderFields>;

export type EditProviderFormValues = {
  name: string;
  baseUrl: string;
  apiKey: string;
  inCluster: boolean;
  /** The base URL the stored key was entered for; null when no key is stored. Not shown. */
  keyBaseUrl: string | null;
};

/** A stored key goes only to the host it was entered for: a move to another one asks for a key. */
export function needsKeyForMove(values: Pick<EditProviderFormValues, "baseUrl" | "keyBaseUrl">): boolean {
  return values.keyBaseUrl !== null && !sameOrigin(values.keyBaseUrl, values.baseUrl);
}

export function editProviderForm(kind: ProviderKind) {
  return z
    .object({
      name: z.string(),
      baseUrl: z.string(),
      apiKey: z.string(),
      inCluster: z.boolean(),
      keyBaseUrl: z.string().nullable(),
    })
    .transform((v, ctx): UpdateProviderFields => {
      const needsKey = needsKeyForMove(v);
      const parsed = UpdateProviderFields.safeParse({
        name: v.name,
        baseUrl: v.baseUrl,
        inCluster: v.inCluster,
        ...(needsKey && v.apiKey.trim() !== "" ? { apiKey: v.apiKey } : {}),
      });
      const issues = parsed.success
        ? []
        : parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
      const problem =
        parsed.success && parsed.data.baseUrl
          ? baseUrlProblem(kind, parsed.data.baseUrl, { inCluster: v.inCluster })
          : null;
      if (problem) issues.push({ path: ["baseUrl"], message: problem });
      if (needsKey && v.apiKey.trim() === "")
        issues.push({ path: ["apiKey"], message: originChangeNeedsKey });
      if (!parsed.success || issues.length > 0) {
        for (const issue of issues) ctx.addIssue({ code: "custom", ...issue });
        return z.NEVER;
      }
      return parsed.data;
    });
}

/** The rotate form: the new key and, when a key is stored, the overlap in minutes. */
export const RotateCredentialForm = z
  .object({ apiKey: z.string(), overlapMinutes: z.string() })
  .transform((v, ctx) => {
    const trimmed = v.overlapMinutes.trim();
    const minutes = /^\d+$/.test(trimmed) ? Number(trimmed) : null;
    if (minutes === null)
      ctx.addIssue({ code: "custom", path: ["overlapMinutes"], message: "Enter a whole number of minutes" });
    const parsed = RotateProviderCredentialInput.omit({ id: true }).safeParse({
      apiKey: v.apiKey,
      overlapMinutes: minutes ?? 0,
    });
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        if (minutes === null && i.path[0] === "overlapMinutes") continue;
        ctx.addIssue({ code: "custom", path: i.path.map(String), message: i.message });
      }
    }
    return parsed.success && minutes !== null ? parsed.data : z.NEVER;
  });
export type RotateCredentialFormValues = z.input<typeof RotateCredentialForm>;
