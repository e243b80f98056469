/** Audit log contracts: what an entry says and how the admin page filters and pages through them. */
import { z } from "zod";
import { text } from "../validation/text.ts";

export * from "./actions.ts";

/** Audit entry ids are Postgres bigints: a cursor past the largest one is no entry id. */
const maxEntryId = 9_223_372_036_854_775_807n;

/** Postgres timestamps reach back to 4713 BC; JavaScript dates to 271821 BC. Keep to years 1-9999. */
const instant = z.coerce
  .date({ error: "Enter a date and time" })
  .min(new Date("0001-01-01T00:00:00.000Z"), "Choose a date after the year 1")
  .max(new Date("9999-12-31T23:59:59.999Z"), "Choose a date before the year 10000");

export const AuditListInput = z.object({
  actor: text().trim().max(254).optional(),
  /** An action (`key.created`); entries stored under its old name (`providers.create`) match too. */
  action: text().trim().max(100).optional(),
  /** Leaves out sign-ins, sign-outs and failed sign-ins. */
  hideSignIns: z.boolean().optional(),
  target: text().trim().max(200).optional(),
  from: instant.optional(),
  to: instant.optional(),
  /** Keyset cursor: the id of the last entry of the previous page. */
  cursor: text()
    .regex(/^\d{1,19}$/, "cursor must be an entry id")
    // Checks after a failed one still run: the regex is repeated so BigInt never sees non-digits.
    .refine((v) => !/^\d{1,19}$/.test(v) || BigInt(v) <= maxEntryId, "cursor must be an entry id")
    .optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.infer<typeof AuditListInput>;

export type AuditEntryView = {
  id: string;
  at: string;
  actorEmail: string | null;
  /** The admin API token that made the change (then `actorEmail` is null), with its name at the time. */
  actorToken: { id: string; name: string | null } | null;
  /** Today's name of the action (an `AuditAction`, or a name this release does not know). */
  action: string;
  targetType: string;
  targetId: string | null;
  /** The target's name when the entry was written (a key's or provider's name, a user's email). */
  targetName: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
};
