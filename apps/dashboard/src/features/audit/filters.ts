/**
 * The audit filters live in the address bar (?actor=&action=&target=&from=&to=), so a filtered view can
 * be reloaded and shared. `from`/`to` hold the datetime-local value; the query gets them as ISO strings.
 */
import { AuditListInput } from "@switchyard/core";
import { zodFieldErrors } from "../../lib/errors.ts";

export type AuditFilters = {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
};

export const emptyFilters: AuditFilters = { actor: "", action: "", target: "", from: "", to: "" };
const keys = Object.keys(emptyFilters) as (keyof AuditFilters)[];

export const pageSize = 50;

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const filters = { ...emptyFilters };
  for (const key of keys) filters[key] = params.get(key) ?? "";
  return filters;
}

export function filtersToParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = filters[key].trim();
    if (value) params.set(key, value);
  }
  return params;
}

export function hasActiveFilters(filters: AuditFilters): boolean {
  return keys.some((key) => filters[key].trim() !== "");
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
