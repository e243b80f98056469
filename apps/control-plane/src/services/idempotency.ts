/**
 * Idempotent creates: a create dialog sends a UUID it generated when it opened, stored on the row
 * (unique per organisation). A repeat (a double click, a retry after a lost answer) is refused with
 * this error, which the dialog recognises by its "Already created" and ignores, keeping the first
 * answer. The check runs under the config lock, so of concurrent repeats exactly one creates.
 */
import { AppError } from "@switchyard/core";

export function alreadyCreated(what: "key" | "provider" | "deployment" | "alias"): AppError {
  return new AppError(
    "conflict",
    `Already created: this ${what} was made by an earlier submission of the same form`,
  );
}
