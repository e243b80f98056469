/**
 * Prices as an admin types them (dollars per million tokens) and as they are stored (whole
 * micro-dollars per million tokens). Converted on the digits, never through a float, so "0.15"
 * is exactly 150000 and not 149999.99….
 */

/** Six decimal places: a micro-dollar is the smallest amount a price can name. */
const decimals = 6;

/**
 * "2.50", "$2.5", "0.000001" → micro-dollars; "" → 0 (no price set). Null for what is not an
 * amount in dollars with at most 6 decimal places.
 */
export function dollarsToMicros(text: string): number | null {
  if (text.trim() === "") return 0;
  const trimmed = text.trim().replace(/^\$\s*/, "");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) return null;
  const whole = match[1] ?? "";
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) return null;
  const micros = Number(whole || "0") * 10 ** decimals + Number(fraction.padEnd(decimals, "0"));
  return Number.isSafeInteger(micros) ? micros : null;
}

/** Micro-dollars → the dollars as a form shows them: "2.5", "0.15", "0". */
export function microsToDollars(micros: number): string {
  const whole = Math.floor(micros / 10 ** decimals);
  const fraction = String(micros % 10 ** decimals)
    .padStart(decimals, "0")
    .replace(/0+$/, "");
  return fraction === "" ? String(whole) : `${whole}.${fraction}`;
}

/** Micro-dollars → a price as the table shows it: "$2.50", "$0.15", "$0.000001". */
export function formatPrice(micros: number): string {
  const [whole, fraction = ""] = microsToDollars(micros).split(".");
  return `$${Number(whole).toLocaleString("en-US")}.${fraction.padEnd(2, "0")}`;
}
