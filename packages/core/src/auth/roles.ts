/** Roles, scopes and which role holds which scope: the one table every permission check reads. */
import { z } from "zod";

export const Role = z.enum(["admin", "reviewer", "finance"]);
export type Role = z.infer<typeof Role>;

export const scopes = [
  "self",
  "audit:read",
  "keys:read",
  "keys:write",
  "providers:read",
  "providers:write",
  "routing:read",
  "routing:write",
  "budgets:read",
  "budgets:write",
  "prompts:read",
  "prompts:write",
  "experiments:read",
  "experiments:write",
  "moderation:review",
  "moderation:policy",
  "fleet:read",
  "fleet:write",
  "usage:read",
  "usage:export",
  "settings:write",
  "tokens:read",
  "tokens:write",
  "system:read",
] as const;
export type Scope = (typeof scopes)[number];

export const roleScopes: Record<Role, readonly Scope[]> = {
  admin: scopes,
  reviewer: ["self", "moderation:review"],
  finance: ["self", "usage:read", "usage:export", "budgets:read"],
};

export function hasScope(role: Role, scope: Scope): boolean {
  return roleScopes[role].includes(scope);
}

/** Dashboard sections, the scope that opens each, and whether it is built yet. */
export const sections = [
  { id: "keys", label: "Keys", scope: "keys:read" },
  { id: "providers", label: "Providers", scope: "providers:read" },
  { id: "routing", label: "Routing", scope: "routing:read" },
  { id: "budgets", label: "Budgets", scope: "budgets:read" },
  { id: "prompts", label: "Prompts", scope: "prompts:read" },
  { id: "experiments", label: "Experiments", scope: "experiments:read" },
  { id: "moderation", label: "Moderation", scope: "moderation:review" },
  { id: "fleet", label: "Fleet", scope: "fleet:read" },
  { id: "usage", label: "Usage & Cost", scope: "usage:read" },
  { id: "audit", label: "Audit", scope: "audit:read" },
  { id: "tokens", label: "API tokens", scope: "tokens:read" },
  { id: "system", label: "System", scope: "system:read" },
  { id: "settings", label: "Settings", scope: "self" },
] as const satisfies readonly { id: string; label: string; scope: Scope }[];
export type SectionId = (typeof sections)[number]["id"];

export function sectionsFor(role: Role) {
  return sections.filter((s) => hasScope(role, s.scope));
}
