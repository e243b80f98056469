/** Audit log contracts: what an entry says and how the admin page filters and pages through them. */
import { z } from "zod";

export const AuditListInput = z.object({
  actor: z.string().trim().max(254).optional(),
  action: z.string().trim().max(100).optional(),
  target: z.string().trim().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Keyset cursor: the id of the last entry of the previous page. */
  cursor: z.string().regex(/^\d+$/, "cursor must be an entry id").optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.infer<typeof AuditListInput>;

export type AuditEntryView = {
  id: string;
  at: string;
  actorEmail: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
};
