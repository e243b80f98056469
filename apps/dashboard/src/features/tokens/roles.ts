/** What each role lets a token do, in the words the create dialog shows beside the choice. */
import type { Role } from "@switchyard/core";

export const roleDescriptions: Record<Role, string> = {
  admin: "Everything an admin can do: keys, providers, the audit log, tokens",
  reviewer: "The moderation queue only",
  finance: "Usage, cost and budgets, read-only",
};

export const roleLabels: Record<Role, string> = { admin: "Admin", reviewer: "Reviewer", finance: "Finance" };

/** "30 days", "1 year": how the expiry choices read. */
export function expiryLabel(days: number): string {
  return days === 365 ? "1 year" : `${days} days`;
}
