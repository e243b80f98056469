/**
 * The upstream request body as JSON. JSON.parse accepts nesting of any depth but JSON.stringify
 * recurses and overflows the stack on a few thousand levels: such a body is the client's mistake
 * (400), not the proxy's failure (500).
 */
import { AppError } from "@switchyard/core";

export function serializeRequest(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new AppError(
      "invalid_request",
      "The request body is nested too deeply to forward; flatten its structure (a few hundred levels at most).",
      { cause: err },
    );
  }
}
