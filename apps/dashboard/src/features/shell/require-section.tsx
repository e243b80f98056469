import { hasScope, type SectionId, sections } from "@switchyard/core";
import type { ReactNode } from "react";
import { useSession } from "../auth/session.tsx";
import { NoAccessPage } from "./no-access-page.tsx";

/**
 * Shows a section only to roles that hold its scope. The server checks the scope again on every call;
 * this is what makes the refusal readable instead of a page of failed requests.
 */
export function RequireSection({ id, children }: { id: SectionId; children: ReactNode }) {
  const { role } = useSession();
  const section = sections.find((s) => s.id === id)!;
  if (!hasScope(role, section.scope)) return <NoAccessPage sectionLabel={section.label} />;
  return children;
}
