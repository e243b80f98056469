/**
 * The one builder for free-text inputs: a string Postgres can store. Every text field of every
 * control-plane input starts from `text()`, so a NUL character or an unpaired UTF-16 surrogate is a
 * field error naming the field, never a database error (a 500) after validation passed.
 */
import { z } from "zod";
import { isStorableText } from "../usage/event.ts";

export const unstorableTextMessage =
  "Remove the NUL character or the broken Unicode character (an unpaired surrogate): it cannot be stored";

/**
 * `z.string(params)` that refuses what Postgres text cannot hold. Chain `.trim()`, `.min()`, `.max()`
 * as usual; the storability check runs first and stops the others, so the field gets one message.
 */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine(isStorableText, { error: unstorableTextMessage, abort: true });
}
