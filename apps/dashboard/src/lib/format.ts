/** Dates as the dashboard shows them: local date and time, and "in 5 min" / "3 h ago" relative to now. */

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });

function parse(value: string | Date): Date | null {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDateTime(value: string | Date): string {
  const date = parse(value);
  return date ? dateTimeFormat.format(date) : String(value);
}

const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];

/** "in 3 days", "5 min ago", "now": the largest unit that fits, rounded. */
export function formatRelative(value: string | Date, nowMs: number = Date.now()): string {
  const date = parse(value);
  if (!date) return String(value);
  const diff = date.getTime() - nowMs;
  for (const [unit, ms] of units) {
    if (Math.abs(diff) >= ms) return relativeFormat.format(Math.round(diff / ms), unit);
  }
  return relativeFormat.format(Math.round(diff / 1000), "second");
}
