/**
 * The audit filters live in the address bar (?actor=&action=&target=&from=&to=&hideSignIns=1), so a
 * filtered view can be reloaded and shared. `from`/`to` hold the datetime-local value; the query gets
 * them as ISO strings.
 */
import { AuditListInput } from "@switchyard/core";
import { z } from "zod";
import { zodFieldErrors } from "../../lib/errors.ts";

export type AuditFilters = {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
  /** Leave out sign-ins, sign-outs and failed sign-ins. */
  hideSignIns: boolean;
};

type TextFilter = Exclude<keyof AuditFilters, "hideSignIns">;

export const emptyFilters: AuditFilters = {
  actor: "",
  action: "",
  target: "",
  from: "",
  to: "",
  hideSignIns: false,
};
const keys: readonly TextFilter[] = ["actor", "action", "target", "from", "to"];

export const pageSize = 50;

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const filters = { ...emptyFilters };
  for (const key of keys) filters[key] = params.get(key) ?? "";
  filters.hideSignIns = params.get("hideSignIns") === "1";
  return filters;
}

export function filtersToParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = filters[key].trim();
    if (value) params.set(key, value);
  }
  if (filters.hideSignIns) params.set("hideSignIns", "1");
  return params;
}

export function hasActiveFilters(filters: AuditFilters): boolean {
  return filters.hideSignIns || keys.some((key) => filters[key].trim() !== "");
}

function localToIso(value: string): string | undefined | null {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export type AuditQueryInput = {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
  hideSignIns?: boolean;
  limit: number;
};

/** The `audit.list` input for these filters, or the field errors that keep it from being sent. */
export function toQueryInput(
  filters: AuditFilters,
): { ok: true; input: AuditQueryInput } | { ok: false; fieldErrors: Record<string, string[]> } {
  const from = localToIso(filters.from);
  const to = localToIso(filters.to);
  const fieldErrors: Record<string, string[]> = {};
  if (from === null) fieldErrors.from = ["Enter a valid date and time"];
  if (to === null) fieldErrors.to = ["Enter a valid date and time"];
  if (from && to && from > to) fieldErrors.to = ["The end must not be before the start"];
  const input: AuditQueryInput = {
    actor: filters.actor.trim() || undefined,
    action: filters.action.trim() || undefined,
    target: filters.target.trim() || undefined,
    from: from ?? undefined,
    to: to ?? undefined,
    hideSignIns: filters.hideSignIns || undefined,
    limit: pageSize,
  };
  // The same schema the server parses with, so the limits (lengths) are written once.
  const parsed = AuditListInput.safeParse(input);
  if (!parsed.success) {
    for (const [field, messages] of Object.entries(zodFieldErrors(parsed.error)))
      fieldErrors[field] ??= messages;
  }
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  return { ok: true, input };
}

/** The filter form's schema: its values are the filters; its errors are the ones `toQueryInput` finds. */
export const AuditFilterValues = z
  .object({
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    from: z.string(),
    to: z.string(),
    hideSignIns: z.boolean(),
  })
  .superRefine((filters, ctx) => {
    const result = toQueryInput(filters);
    if (result.ok) return;
    for (const [path, messages] of Object.entries(result.fieldErrors))
      ctx.addIssue({ code: "custom", path: [path], message: messages.join(" ") });
  });
